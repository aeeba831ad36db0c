package org.recsys.recommend.ingest.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNode;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recommend_update processor on a real node: exact fold-in, concurrency, visibility, restarts, errors, caches. */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecommendUpdateIT {

    private static final int ITEMS = 60;
    private static final int K = 6;
    private static final double LAMBDA = 0.5;
    private static final double ALPHA = 4;
    private static final int MAX_HISTORY = 8;

    private final Map<String, float[]> factors = new HashMap<>();
    private final List<float[]> gramianItems = new ArrayList<>();

    @BeforeAll
    void load(JsonHttp http) {
        String vector = "{\"type\":\"dense_vector\",\"dims\":" + K + ",\"similarity\":\"max_inner_product\"}";
        ok(http.put("/up_items", "{\"mappings\":{\"properties\":{\"factors\":" + vector
                + ",\"neighbors\":{\"type\":\"sparse_vector\"}}}}"));
        ok(http.put("/up_users", "{\"mappings\":{\"properties\":{\"factors\":" + vector
                + ",\"history\":{\"type\":\"object\",\"enabled\":false}}}}"));
        Random random = new Random(17);
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            float[] y = new float[K];
            for (int d = 0; d < K; d++) {
                y[d] = (float) random.nextGaussian() * 0.5f;
            }
            factors.put("i" + i, y);
            gramianItems.add(y);
            bulk.append("{\"index\":{\"_index\":\"up_items\",\"_id\":\"i").append(i).append("\"}}\n");
            bulk.append("{\"factors\":").append(json(y)).append(",\"neighbors\":{\"i").append((i + 1) % ITEMS).append("\":0.9}}\n");
        }
        bulk.append("{\"index\":{\"_index\":\"up_items\",\"_id\":\"cold\"}}\n{\"neighbors\":{\"i1\":0.5}}\n");
        ok(http.postNdjson("/_bulk?refresh=true", bulk.toString()));
        for (String model : List.of("upd", "upd_big")) {
            int max = model.equals("upd") ? MAX_HISTORY : 1000;
            ok(http.put("/_recommend/model/" + model,
                    "{\"items\":{\"index\":\"up_items\"},\"users\":{\"index\":\"up_users\",\"max_history\":" + max
                + "},\"factors\":{\"dims\":" + K + ",\"lambda\":" + LAMBDA + ",\"alpha\":" + ALPHA + "}}"));
            ok(http.post("/_recommend/model/" + model + "/_refresh", null));
            ok(http.put("/_ingest/pipeline/" + model, "{\"processors\":[{\"recommend_update\":{\"model\":\"" + model
                + "\",\"action_weights\":{\"view\":1,\"buy\":5}}}]}"));
        }
        // The test distribution has no `set` processor: the on_failure handler is our own processor in profile mode, whose
        // visible effect (an empty history and a zero vector on the event) proves the handler ran.
        ok(http.put("/_ingest/pipeline/upd_on_failure", "{\"processors\":[{\"recommend_update\":{\"model\":\"upd\"}}],"
            + "\"on_failure\":[{\"recommend_update\":{\"model\":\"upd\",\"mode\":\"profile\"}}]}"));
        ok(http.put("/_ingest/pipeline/profiles", "{\"processors\":[{\"recommend_update\":{\"model\":\"upd\",\"mode\":\"profile\"}}]}"));
        ok(http.put("/_ingest/pipeline/no_model", "{\"processors\":[{\"recommend_update\":{\"model\":\"nope\"}}]}"));
    }

    @Test
    void vectorsEqualTheClosedFormForEmptyShortAndMaxLengthHistories(JsonHttp http) {
        ok(http.put("/up_users/_doc/empty?pipeline=profiles&refresh=true", "{\"history\":[]}"));
        float[] empty = vectorOf(http, "empty");
        for (float f : empty) {
            assertEquals(0f, f, 0f, "no evidence, no preference");
        }
        List<String> events = new ArrayList<>();
        Random random = new Random(3);
        for (int n = 0; n < 14; n++) {
            String item = n == 3 ? events.get(0) : "i" + random.nextInt(ITEMS); // a repeat merges
            events.add(item);
            ok(http.post("/up_events/_doc?pipeline=upd&refresh=true", "{\"user\":\"exact\",\"item\":\"" + item + "\"}"));
            if (n == 0 || n == 4 || n == 13) {
                Map<String, Double> expectedHistory = FoldInOracle.history(events, MAX_HISTORY);
                assertEquals(new ArrayList<>(expectedHistory.keySet()), historyItems(http, "exact"), "history after " + (n + 1));
                assertClose(FoldInOracle.solve(gramianItems, factors, expectedHistory, LAMBDA, ALPHA), vectorOf(http, "exact"));
            }
        }
    }

    @Test
    void concurrentStreamsLoseNothing(JsonHttp http) throws Exception {
        int streams = 8;
        int events = 20_000;
        int users = 500;
        Random random = new Random(99);
        List<String[]> all = new ArrayList<>();
        for (int n = 0; n < events; n++) {
            all.add(new String[] { "c" + random.nextInt(users), "i" + random.nextInt(ITEMS) });
        }
        ExecutorService pool = Executors.newFixedThreadPool(streams);
        Map<String, List<String>> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger failures = new AtomicInteger();
        StringBuffer firstFailure = new StringBuffer();
        List<Future<?>> done = new ArrayList<>();
        int perBulk = 250;
        for (int s = 0; s < streams; s++) {
            int stream = s;
            done.add(pool.submit(() -> {
                for (int from = stream * perBulk; from < events; from += streams * perBulk) {
                    StringBuilder bulk = new StringBuilder();
                    List<String[]> sent = all.subList(from, Math.min(events, from + perBulk));
                    for (String[] e : sent) {
                        bulk.append("{\"index\":{\"_index\":\"up_stream\"}}\n");
                        bulk.append("{\"user\":\"").append(e[0]).append("\",\"item\":\"").append(e[1]).append("\"}\n");
                    }
                    JsonHttp.Response r = http.postNdjson("/_bulk?pipeline=upd_big", bulk.toString());
                    JsonNode items = r.at("/items");
                    for (int i = 0; i < sent.size(); i++) {
                        if (items.get(i).path("index").has("error")) {
                            if (failures.incrementAndGet() == 1) {
                                firstFailure.append(items.get(i).path("index").path("error"));
                            }
                        } else {
                            acknowledged.computeIfAbsent(sent.get(i)[0],
                                    u -> Collections.synchronizedList(new ArrayList<>())).add(sent.get(i)[1]);
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(10, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertEquals(0, failures.get(), "no event may fail under contention; first: " + firstFailure);
        http.post("/up_users/_refresh", null);
        int checkedVectors = 0;
        for (Map.Entry<String, List<String>> e : acknowledged.entrySet()) {
            Map<String, Double> expected = new HashMap<>();
            e.getValue().forEach(item -> expected.merge(item, 1.0, Double::sum));
            Map<String, Double> actual = historyWeights(http, e.getKey());
            assertEquals(expected, actual, "history of " + e.getKey());
            if (checkedVectors++ < 25) {
                assertClose(FoldInOracle.solve(gramianItems, factors, actual, LAMBDA, ALPHA), vectorOf(http, e.getKey()));
            }
        }
        assertEquals(users, acknowledged.size());
    }

    @Test
    void anAcknowledgedEventIsVisibleToTheNextQuery(JsonHttp http) {
        ok(http.post("/up_events/_doc?pipeline=upd&refresh=true", "{\"user\":\"visible\",\"item\":\"i10\"}"));
        String query = "{\"size\":60,\"query\":{\"recommend\":{\"model\":\"upd\",\"user\":\"visible\"}}}";
        JsonHttp.Response before = http.post("/up_items/_search", query);
        List<String> ids = ids(before);
        assertTrue(ids.contains("i20"), "not seen yet, so a candidate");
        ok(http.post("/up_events/_doc?pipeline=upd&refresh=true", "{\"user\":\"visible\",\"item\":\"i20\",\"action\":\"buy\"}"));
        JsonHttp.Response after = http.post("/up_items/_search", query);
        assertFalse(ids(after).contains("i20"), "the new item is excluded as seen at once");
        // i21 is i20's neighbor: it rises
        assertTrue(ids(after).indexOf("i21") < Math.max(ids.indexOf("i21"), 0) || ids(after).indexOf("i21") == 0, before.body()
                + after.body());
    }

    @Test
    void badEventsFailAloneWithAClearErrorAndWriteNothing(JsonHttp http) {
        ok(http.post("/up_events/_doc?pipeline=upd&refresh=true", "{\"user\":\"careful\",\"item\":\"i1\"}"));
        long version = http.get("/up_users/_doc/careful").at("/_version").asLong();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"item\":\"i2\"}", "[user]");
        cases.put("{\"user\":\"careful\"}", "[item]");
        cases.put("{\"user\":\"careful\",\"item\":\"nope\"}", "[item] [nope]");
        cases.put("{\"user\":\"careful\",\"item\":\"cold\"}", "[item] [cold]");
        cases.put("{\"user\":\"careful\",\"item\":\"i2\",\"weight\":\"NaN\"}", "[weight]");
        cases.put("{\"user\":\"careful\",\"item\":\"i2\",\"weight\":-3}", "[weight]");
        cases.put("{\"user\":\"careful\",\"item\":\"i2\",\"action\":\"dance\"}", "[action]");
        cases.put("{\"user\":7,\"item\":\"i2\"}", "[user]");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            JsonHttp.Response r = http.post("/up_events/_doc?pipeline=upd&refresh=true", c.getKey());
            assertEquals(400, r.status(), c.getKey() + " -> " + r.body());
            assertTrue(r.at("/error/reason").asText().contains(c.getValue()), c.getKey() + " -> " + r.body());
        }
        JsonHttp.Response handled = http.post("/up_events/_doc?pipeline=upd_on_failure&refresh=true",
                "{\"user\":\"careful\",\"item\":\"nope\"}");
        assertEquals(201, handled.status(), "on_failure handles the error: " + handled.body());
        JsonNode event = http.get("/up_events/_doc/" + handled.at("/_id").asText()).at("/_source");
        assertTrue(event.has("history") && event.path("history").isEmpty(), "the handler ran: " + event);
        assertEquals(version, http.get("/up_users/_doc/careful").at("/_version").asLong(), "the profile is untouched");
        JsonHttp.Response unknownModel = http.post("/up_events/_doc?pipeline=no_model", "{\"user\":\"careful\",\"item\":\"i2\"}");
        assertEquals(400, unknownModel.status(), unknownModel.body());
        assertTrue(unknownModel.body().contains("[model]"), unknownModel.body());
    }

    /**
     * The node caches the profiles it writes, so the next event skips reading them back; a write by anyone else in
     * between must win over that copy: the next event applies to the profile as the other writer left it (its history and
     * its other fields), and the vector is the fold-in of that history.
     */
    @Test
    void aProfileWrittenByAnotherWriterIsNotOverwrittenFromTheCache(JsonHttp http) {
        ok(http.post("/up_events/_doc?pipeline=upd&refresh=true", "{\"user\":\"other\",\"item\":\"i40\"}"));
        ok(http.post("/up_events/_doc?pipeline=upd&refresh=true", "{\"user\":\"other\",\"item\":\"i41\"}"));
        // an application rewrites the profile: another history and a field of its own
        ok(http.put("/up_users/_doc/other?refresh=true",
            "{\"nickname\":\"o\",\"history\":[{\"item\":\"i42\",\"weight\":1,\"ts\":\"2026-01-01T00:00:00Z\"}]}"));
        ok(http.post("/up_events/_doc?pipeline=upd&refresh=true", "{\"user\":\"other\",\"item\":\"i43\"}"));
        assertEquals(List.of("i42", "i43"), historyItems(http, "other"), "the event applied to the rewritten profile");
        assertEquals("o", http.get("/up_users/_doc/other").at("/_source/nickname").asText(), "its other fields kept");
        Map<String, Double> expected = FoldInOracle.history(List.of("i42", "i43"), MAX_HISTORY);
        assertClose(FoldInOracle.solve(gramianItems, factors, expected, LAMBDA, ALPHA), vectorOf(http, "other"));
    }

    /**
     * Two models keep their own vector and history fields in one users index: an event of one model must never write back
     * the other's cached copy of the profile (which lacks the first model's vector), whatever order their events come in.
     */
    @Test
    void twoModelsSharingAUsersIndexKeepEachOthersFields(JsonHttp http) {
        String vector = "{\"type\":\"dense_vector\",\"dims\":" + K + ",\"similarity\":\"max_inner_product\"}";
        String history = "{\"type\":\"object\",\"enabled\":false}";
        ok(http.put("/up_users_two", "{\"mappings\":{\"properties\":{\"factors_a\":" + vector + ",\"factors_b\":" + vector
            + ",\"history_a\":" + history + ",\"history_b\":" + history + "}}}"));
        for (String m : List.of("a", "b")) {
            ok(http.put("/_recommend/model/two_" + m, "{\"items\":{\"index\":\"up_items\"},\"users\":{\"index\":\"up_users_two\","
                + "\"factors\":\"factors_" + m + "\",\"history\":\"history_" + m + "\"},\"factors\":{\"dims\":" + K + ",\"lambda\":"
                + LAMBDA + ",\"alpha\":" + ALPHA + "}}"));
            ok(http.post("/_recommend/model/two_" + m + "/_refresh", null));
            ok(http.put("/_ingest/pipeline/two_" + m, "{\"processors\":[{\"recommend_update\":{\"model\":\"two_" + m + "\"}}]}"));
        }
        for (String[] event : new String[][] { { "a", "i50" }, { "a", "i51" }, { "b", "i52" }, { "a", "i53" }, { "b", "i54" } }) {
            ok(http.post("/up_events/_doc?pipeline=two_" + event[0] + "&refresh=true",
                "{\"user\":\"shared\",\"item\":\"" + event[1] + "\"}"));
        }
        JsonNode profile = http.get("/up_users_two/_doc/shared?_source_exclude_vectors=false").at("/_source");
        assertEquals(K, profile.path("factors_a").size(), "model a's vector is still there: " + profile);
        assertEquals(K, profile.path("factors_b").size(), "and model b's: " + profile);
        List<String> a = new ArrayList<>();
        profile.path("history_a").forEach(h -> a.add(h.path("item").asText()));
        List<String> b = new ArrayList<>();
        profile.path("history_b").forEach(h -> b.add(h.path("item").asText()));
        assertEquals(List.of("i50", "i51", "i53"), a, profile.toString());
        assertEquals(List.of("i52", "i54"), b, profile.toString());
        Map<String, Double> expectedA = FoldInOracle.history(a, 500);
        JsonNode va = profile.path("factors_a");
        float[] actualA = new float[K];
        for (int d = 0; d < K; d++) {
            actualA[d] = (float) va.get(d).asDouble();
        }
        assertClose(FoldInOracle.solve(gramianItems, factors, expectedA, LAMBDA, ALPHA), actualA);
        for (String m : List.of("a", "b")) {
            ok(http.delete("/_recommend/model/two_" + m));
        }
    }

    @Test
    void reindexedItemsAreSeenByTheNextEvent(JsonHttp http) {
        ok(http.post("/up_events/_doc?pipeline=upd&refresh=true", "{\"user\":\"cache\",\"item\":\"i30\"}"));
        float[] fresh = { 1, -1, 0.5f, 0, 0.25f, -0.5f };
        ok(http.put("/up_items/_doc/i30?refresh=true", "{\"factors\":" + json(fresh) + "}"));
        ok(http.post("/up_events/_doc?pipeline=upd&refresh=true", "{\"user\":\"cache\",\"item\":\"i31\"}"));
        Map<String, float[]> now = new HashMap<>(factors);
        now.put("i30", fresh);
        Map<String, Double> history = FoldInOracle.history(List.of("i30", "i31"), MAX_HISTORY);
        assertClose(FoldInOracle.solve(gramianItems, now, history, LAMBDA, ALPHA), vectorOf(http, "cache"));
        ok(http.put("/up_items/_doc/i30?refresh=true", "{\"factors\":" + json(factors.get("i30")) + ",\"neighbors\":{\"i31\":0.9}}"));
    }

    @Test
    void acknowledgedEventsSurviveARestartMidStream(RealNode node) throws Exception {
        JsonHttp http = node.http();
        Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        ExecutorService sender = Executors.newSingleThreadExecutor();
        Future<?> stream = sender.submit(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            for (int n = 0; n < 400 && System.nanoTime() < deadline; n++) {
                String item = "i" + (n % ITEMS);
                try {
                    JsonHttp.Response r = http.post("/up_restart/_doc?pipeline=upd_big", "{\"user\":\"r" + (n % 5) + "\",\"item\":\""
                            + item + "\"}");
                    if (r.status() == 201) {
                        acknowledged.merge("r" + (n % 5) + "/" + item, 1, Integer::sum);
                    }
                } catch (RuntimeException e) {
                    sleep(200); // the node is down: this event was not acknowledged
                }
            }
            return null;
        });
        sleep(1500);
        node.restart();
        stream.get(3, TimeUnit.MINUTES);
        sender.shutdown();
        assertTrue(acknowledged.size() > 10, "events were acknowledged before and after the restart");
        assertEquals(ITEMS, http.get("/_recommend/model/upd_big").at("/upd_big/state/items").asInt(), "the model survives the restart");
        for (Map.Entry<String, Integer> e : acknowledged.entrySet()) {
            String[] userItem = e.getKey().split("/");
            Double weight = historyWeights(http, userItem[0]).get(userItem[1]);
            assertTrue(weight != null && weight >= e.getValue(), e.getKey() + " acknowledged " + e.getValue() + " times, profile has "
                    + weight);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static float[] vectorOf(JsonHttp http, String user) {
        JsonNode v = http.get("/up_users/_doc/" + user + "?_source_exclude_vectors=false").at("/_source/factors");
        float[] out = new float[v.size()];
        for (int d = 0; d < out.length; d++) {
            out[d] = (float) v.get(d).asDouble();
        }
        return out;
    }

    private static List<String> historyItems(JsonHttp http, String user) {
        List<String> items = new ArrayList<>();
        http.get("/up_users/_doc/" + user).at("/_source/history").forEach(h -> items.add(h.path("item").asText()));
        return items;
    }

    private static Map<String, Double> historyWeights(JsonHttp http, String user) {
        Map<String, Double> weights = new HashMap<>();
        http.get("/up_users/_doc/" + user).at("/_source/history").forEach(h -> weights.put(h.path("item").asText(),
                h.path("weight").asDouble()));
        return weights;
    }

    private static void assertClose(double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double norm = 0;
        double error = 0;
        for (int d = 0; d < expected.length; d++) {
            norm += expected[d] * expected[d];
            error += (expected[d] - actual[d]) * (expected[d] - actual[d]);
        }
        assertTrue(Math.sqrt(error) <= 1e-4 * Math.sqrt(norm), "relative error " + Math.sqrt(error / norm));
    }

    private static List<String> ids(JsonHttp.Response r) {
        List<String> ids = new ArrayList<>();
        r.at("/hits/hits").forEach(h -> ids.add(h.path("_id").asText()));
        return ids;
    }

    private static String json(float[] v) {
        ArrayNode a = JsonHttp.MAPPER.createArrayNode();
        for (float f : v) {
            a.add(f);
        }
        return a.toString();
    }

    private static void ok(JsonHttp.Response response) {
        assertTrue(response.status() / 100 == 2, response.status() + " " + response.body());
    }
}
