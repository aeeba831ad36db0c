package org.recsys.recommend.ingest.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.ok;

/**
 * {@code _refresh} over 50,000 items: it runs as a task visible in {@code _tasks} under its action name while it works,
 * reports how many vectors went in, and stores a Gramian equal to YᵀY computed here. Items without factors are skipped.
 */
@ExtendWith(RealNodeExtension.class)
class RefreshTaskIT {

    private static final int ITEMS = 50_000;
    private static final int K = 32;
    private static final String TASKS = "/_tasks?actions=cluster:admin/recommend/model/refresh&detailed";

    @Test
    void refreshRunsAsATaskAndStoresYtY(JsonHttp http) throws Exception {
        FoldInCatalogue catalogue = new FoldInCatalogue(41, ITEMS, K, 100, 0.1, 10);
        // not searchable: the Gramian reads _source, and skipping HNSW keeps the load short
        ok(http.put("/rt_items", String.format(Locale.ROOT, """
            {"settings":{"number_of_shards":2,"number_of_replicas":0,"refresh_interval":"-1"},
             "mappings":{"properties":{"factors":{"type":"dense_vector","dims":%d,"index":false}}}}""", K)));
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            ObjectNode doc = JsonHttp.MAPPER.createObjectNode();
            ArrayNode f = doc.putArray("factors");
            for (float v : catalogue.factors(i)) {
                f.add(v);
            }
            bulk.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n").append(doc).append('\n');
            if ((i + 1) % 5000 == 0) {
                FoldInCatalogue.bulkOk(http, "/rt_items/_bulk", bulk.toString());
                bulk.setLength(0);
            }
        }
        ok(http.put("/rt_items/_doc/cold", "{\"title\":\"no factors yet\"}"));
        ok(http.post("/rt_items/_refresh", null));
        IngestFixture.putModel(http, "rt", "{\"items\":{\"index\":\"rt_items\"},\"users\":{\"index\":\"rt_users\"},\"factors\":{\"dims\":"
            + K + "}}");

        CompletableFuture<JsonHttp.Response> refresh = CompletableFuture.supplyAsync(
            () -> http.post("/_recommend/model/rt/_refresh", null)
        );
        JsonNode seen = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (seen == null && refresh.isDone() == false && System.nanoTime() < deadline) {
            JsonNode nodes = ok(http.get(TASKS)).at("/nodes");
            for (JsonNode node : nodes) {
                for (JsonNode task : node.path("tasks")) {
                    seen = task;
                }
            }
            Thread.sleep(5);
        }
        JsonHttp.Response response = ok(refresh.get(120, TimeUnit.SECONDS));
        assertEquals(ITEMS, response.at("/items").asLong(), "the cold item has no vector and does not count: " + response.body());
        assertEquals("rt", response.at("/model").asText());
        if (seen != null) {
            assertEquals("cluster:admin/recommend/model/refresh", seen.path("action").asText(), seen.toString());
            assertTrue(seen.path("cancellable").asBoolean(), seen.toString());
            assertTrue(seen.path("description").asText().contains("[rt]"), seen.toString());
        }
        long took = response.at("/took").asLong();
        // polled every few ms: only a refresh faster than that could slip through unseen
        assertTrue(seen != null || took < 100, "the refresh of " + ITEMS + " items took " + took + " ms but never showed in " + TASKS);

        JsonNode gramian = ok(http.get("/_recommend/model/rt?include_gramian=true")).at("/rt/state/gramian");
        assertEquals(K * K, gramian.size());
        double[][] expected = catalogue.gramian();
        for (int i = 0; i < K; i++) {
            for (int j = 0; j < K; j++) {
                double scale = Math.sqrt(expected[i][i] * expected[j][j]); // |G_ij| <= sqrt(G_ii G_jj)
                double actual = gramian.get(i * K + j).asDouble();
                assertEquals(expected[i][j], actual, 1e-6 * scale, "G[" + i + "][" + j + "]");
            }
        }
        assertEquals(0, ok(http.get(TASKS)).at("/nodes").size(), "the task is gone once the refresh answered");
    }
}
