package org.recsys.recommend.train.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeConfig;
import org.recsys.recommend.testing.RealNodeExtension;
import org.recsys.recommend.testing.SparkJobProcess;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark job against a real node (with the test-only plugin that answers {@code GET /}, which the connector asks
 * first): it reads the events through the connector, trains, stages and imports; what is served then agrees with what Spark
 * trained — the processor's fold-in of a user's events reproduces Spark's vector for that user — and a profile that took
 * an event after the job's cut-off keeps it.
 */
@ExtendWith(RealNodeExtension.class)
@RealNodeConfig(node = "spark", rootInfo = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkJobIT {

    private static final int USERS = 60;
    private static final int ITEMS = 40;
    private static final String CUTOFF = "2026-12-01T00:00:00Z";

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        assertTrue(response.status() < 300, response.status() + " " + response.body());
        return response;
    }

    /** User u's events: a taste for items near 3u (mod 40), some twice, all before the cut-off. */
    private static List<String[]> eventsOf(int u) {
        List<String[]> events = new ArrayList<>();
        for (int n = 0; n < 7; n++) {
            String item = "i" + ((3 * u + n * n + (n % 2) * 11) % ITEMS);
            String ts = String.format(java.util.Locale.ROOT, "2026-11-%02dT10:00:00Z", n + 1);
            events.add(new String[] { item, n % 3 == 0 ? "2" : "1", ts });
        }
        return events;
    }

    @BeforeAll
    void load(JsonHttp http) {
        ok(http.put("/_recommend/model/sp", "{\"items\":{\"index\":\"sp_items\"},\"users\":{\"index\":\"sp_users\"},"
            + "\"factors\":{\"dims\":8,\"lambda\":0.05,\"alpha\":5,\"regularization\":\"weighted\"}}"));
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            items.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"title\":\"item ").append(i).append("\"}\n");
        }
        ok(http.postNdjson("/sp_items/_bulk?refresh=true", items.toString()));
        ok(http.put("/sp_events", "{\"mappings\":{\"properties\":{\"user\":{\"type\":\"keyword\"},\"item\":{\"type\":\"keyword\"},"
            + "\"weight\":{\"type\":\"float\"},\"@timestamp\":{\"type\":\"date\"}}}}"));
        StringBuilder events = new StringBuilder();
        for (int u = 0; u < USERS; u++) {
            for (String[] e : eventsOf(u)) {
                events.append("{\"index\":{}}\n{\"user\":\"u").append(u).append("\",\"item\":\"").append(e[0]).append("\",\"weight\":")
                    .append(e[1]).append(",\"@timestamp\":\"").append(e[2]).append("\"}\n");
            }
        }
        ok(http.postNdjson("/sp_events/_bulk?refresh=true", events.toString()));
        // served first by an in-cluster training, so that the processor folds events in from the start
        ok(http.post("/_recommend/model/sp/_train", "{\"events\":{\"index\":\"sp_events\"},\"als\":{\"iterations\":3}}"));
        ok(http.put("/_ingest/pipeline/sp", "{\"processors\":[{\"recommend_update\":{\"model\":\"sp\"}}]}"));
        // after the cut-off, through the processor: the job does not read it, u1's profile holds it
        ok(http.post("/sp_events/_doc?pipeline=sp&refresh=true",
            "{\"user\":\"u1\",\"item\":\"i39\",\"@timestamp\":\"2026-12-03T00:00:00Z\"}"));
    }

    private static float[] vector(JsonNode source, String field) {
        JsonNode values = source.at("/" + field);
        assertTrue(values.isArray(), field + " in " + source);
        float[] v = new float[values.size()];
        for (int d = 0; d < v.length; d++) {
            v[d] = values.get(d).floatValue();
        }
        return v;
    }

    private static String servedUserField(JsonHttp http) {
        return ok(http.get("/_recommend/model/sp")).at("/sp/state/slot").asInt() == 0 ? "factors" : "factors_alt";
    }

    @Test
    void trainsWithSparkAndServesWhatSparkTrained(JsonHttp http) throws Exception {
        int slotBefore = ok(http.get("/_recommend/model/sp")).at("/sp/state/slot").asInt();
        SparkJobProcess.Outcome job = SparkJobProcess.run("--es", http.baseUrl(), "--model", "sp", "--run-id", "it-1", "--events-index",
            "sp_events", "--cutoff", CUTOFF, "--iterations", "10", "--neighbors", "5");
        assertEquals(0, job.exitCode(), job.stdout() + "\n" + job.stderr());
        for (String phase : List.of("read", "fit", "neighbors", "write", "import")) {
            assertTrue(job.stdout().contains("phase " + phase + " "), phase + " in " + job.stdout());
        }
        assertTrue(job.stdout().contains("events " + USERS * 7 + " read"), job.stdout());

        JsonNode model = ok(http.get("/_recommend/model/sp")).at("/sp");
        assertNotEquals(slotBefore, model.at("/state/slot").asInt(), "the import switched slots: " + model);
        assertEquals(0.05, model.at("/factors/lambda").asDouble(), 1e-12);
        assertEquals(ITEMS, model.at("/state/items").asInt(), model.toString());

        // what the processor computes for a new user with u5's events is what Spark computed for u5 (ALS-WR fold-in)
        String served = servedUserField(http);
        float[] spark = vector(ok(http.get("/sp_users/_doc/u5?_source_exclude_vectors=false")).at("/_source"), served);
        StringBuilder clone = new StringBuilder();
        for (String[] e : eventsOf(5)) {
            clone.append("{\"index\":{}}\n{\"user\":\"u5-clone\",\"item\":\"").append(e[0]).append("\",\"weight\":").append(e[1])
                .append(",\"@timestamp\":\"").append(e[2]).append("\"}\n");
        }
        ok(http.postNdjson("/sp_events/_bulk?pipeline=sp&refresh=true", clone.toString()));
        float[] folded = vector(ok(http.get("/sp_users/_doc/u5-clone?_source_exclude_vectors=false")).at("/_source"), served);
        double diff = 0;
        double norm = 0;
        for (int d = 0; d < spark.length; d++) {
            diff += (spark[d] - folded[d]) * (spark[d] - folded[d]);
            norm += spark[d] * spark[d];
        }
        assertTrue(norm > 0 && Math.sqrt(diff / norm) <= 1e-3, "fold-in " + java.util.Arrays.toString(folded) + " vs Spark "
            + java.util.Arrays.toString(spark));

        // u1 took i39 after the cut-off: it keeps it in its history, and its vector was folded in from that history
        JsonNode u1 = ok(http.get("/sp_users/_doc/u1")).at("/_source");
        List<String> history = new ArrayList<>();
        u1.at("/history").forEach(entry -> history.add(entry.path("item").asText()));
        assertTrue(history.contains("i39"), u1.toString());

        // neighbors came from Spark (k 5) and serve "more like this"
        JsonNode seeded = ok(http.post("/sp_items/_recommend", "{\"model\":\"sp\",\"items\":[\"i3\"],\"size\":3}")).json();
        assertEquals(3, seeded.at("/recommendations").size(), seeded.toString());
        JsonNode recommended = ok(http.post("/sp_items/_recommend", "{\"model\":\"sp\",\"user\":\"u5\",\"size\":5}")).json();
        for (JsonNode r : recommended.at("/recommendations")) {
            assertFalse(eventsOf(5).stream().anyMatch(e -> e[0].equals(r.at("/_id").asText())), "u5's history is excluded: " + recommended);
        }
    }

    @Test
    void refusesAModelThatFoldsInOtherwiseBeforeSparkStarts(JsonHttp http) throws Exception {
        ok(http.put("/_recommend/model/sp_constant", "{\"items\":{\"index\":\"sp_items\"},\"users\":{\"index\":\"sp_users\"},"
            + "\"factors\":{\"dims\":8}}"));
        SparkJobProcess.Outcome job = SparkJobProcess.run("--es", http.baseUrl(), "--model", "sp_constant", "--run-id", "it-2");
        assertEquals(1, job.exitCode(), job.stdout() + job.stderr());
        assertTrue(job.stderr().contains("weighted"), job.stderr());
        SparkJobProcess.Outcome usage = SparkJobProcess.run("--es", http.baseUrl(), "--model", "sp", "--run-id", "no spaces");
        assertEquals(2, usage.exitCode(), usage.stderr());
        assertTrue(usage.stderr().contains("--run-id"), usage.stderr());
    }
}
