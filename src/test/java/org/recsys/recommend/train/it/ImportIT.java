package org.recsys.recommend.train.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code _import} on a real node, with runs staged by hand exactly as the Spark job stages them (docs/spark.md): a complete
 * run is served (its factors in the other slot, its λ and α on the model, the switch in one update); a profile that took an
 * event after the run's cut-off keeps its history and gets a vector folded in from it; an incomplete, malformed or
 * mismatched run is refused with a 400/409 naming the problem, and what is served stays exactly as it was.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImportIT {

    private static final int DIMS = 4;
    private static final int ITEMS = 20;
    private static final int USERS = 10;
    private static final String STAGING = "im_staging";
    private static final String CUTOFF = "2026-12-01T00:00:00Z";

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        assertTrue(response.status() < 300, response.status() + " " + response.body());
        return response;
    }

    @BeforeAll
    void load(JsonHttp http) {
        ok(http.put("/_recommend/model/im", "{\"items\":{\"index\":\"im_items\"},\"users\":{\"index\":\"im_users\"},"
            + "\"factors\":{\"dims\":" + DIMS + ",\"regularization\":\"weighted\"}}"));
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            items.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"title\":\"item ").append(i).append("\"}\n");
        }
        ok(http.postNdjson("/im_items/_bulk?refresh=true", items.toString()));
        ok(http.put("/" + STAGING, "{\"mappings\":{\"dynamic\":false,\"properties\":{\"run_id\":{\"type\":\"keyword\"},"
            + "\"kind\":{\"type\":\"keyword\"}}}}"));
        // u1 took an event through the processor after the cut-off: its profile holds it
        ok(http.put("/im_users/_doc/u1?refresh=true", "{\"history\":[{\"item\":\"i5\",\"weight\":2.0,\"ts\":\"2030-01-01T00:00:00Z\"}]}"));
        // u2 took one the job did not read although its timestamp is older than the cut-off (a late, out-of-order event)
        ok(http.put("/im_users/_doc/u2?refresh=true", "{\"history\":[{\"item\":\"i12\",\"weight\":1.0,\"ts\":\"2026-11-01T00:00:00Z\"}]}"));
        // a user new since the cut-off: not in the run at all
        ok(http.put("/im_users/_doc/newcomer?refresh=true", "{\"history\":[{\"item\":\"i7\",\"weight\":1.0}]}"));
    }

    /** Item i's factors: a direction of its own, so that a user aligned with it gets it first. */
    private static float[] itemFactors(int i, float scale) {
        double angle = 2 * Math.PI * i / ITEMS;
        return new float[] { (float) Math.cos(angle) * scale, (float) Math.sin(angle) * scale, 0.1f * (i % 3), 0.05f };
    }

    private static String vector(float[] v) {
        StringBuilder s = new StringBuilder("[");
        for (int d = 0; d < v.length; d++) {
            s.append(d == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6f", v[d]));
        }
        return s.append("]").toString();
    }

    /** Stages run {@code run}: items i0..i19 and "ghost" (not in the catalogue), users u0..u9 aligned with item 3u+3. */
    private static void stage(JsonHttp http, String run, float scale, int manifestItems, String brokenUser) {
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            stageItem(bulk, run, "i" + i, itemFactors(i, scale), "{\"i" + ((i + 1) % ITEMS) + "\":0.5}", i + 1);
        }
        stageItem(bulk, run, "ghost", itemFactors(7, scale), null, 1);
        for (int u = 0; u < USERS; u++) {
            float[] factors = itemFactors((3 * u + 3) % ITEMS, 1f);
            String user = "u" + u;
            String factorsJson = user.equals(brokenUser) ? "[1,2]" : vector(factors);
            bulk.append("{\"index\":{\"_id\":\"").append(run).append(":user:").append(user).append("\"}}\n")
                .append("{\"run_id\":\"").append(run).append("\",\"kind\":\"user\",\"id\":\"").append(user).append("\",\"factors\":")
                .append(factorsJson).append(",\"history\":[{\"item\":\"i").append(u).append("\",\"weight\":1.0,\"ts\":\"2026-11-30T00:00:0")
                .append(u).append("Z\"}],\"seen\":[\"i").append((u + 10) % ITEMS).append("\"]}\n");
        }
        ok(http.postNdjson("/" + STAGING + "/_bulk?refresh=true", bulk.toString()));
        ok(http.put("/" + STAGING + "/_doc/" + run + ":manifest?refresh=true", "{\"run_id\":\"" + run + "\",\"kind\":\"manifest\","
            + "\"dims\":" + DIMS + ",\"lambda\":0.07,\"alpha\":12.5,\"regularization\":\"weighted\",\"iterations\":10,\"events\":123,"
            + "\"events_cutoff\":\"" + CUTOFF + "\",\"items\":" + manifestItems + ",\"users\":" + USERS + ",\"neighbors\":true,"
            + "\"trained_by\":\"hand\"}"));
    }

    private static void stageItem(StringBuilder bulk, String run, String id, float[] factors, String neighbors, int popularity) {
        bulk.append("{\"index\":{\"_id\":\"").append(run).append(":item:").append(id).append("\"}}\n")
            .append("{\"run_id\":\"").append(run).append("\",\"kind\":\"item\",\"id\":\"").append(id).append("\",\"factors\":")
            .append(vector(factors)).append(neighbors == null ? "" : ",\"neighbors\":" + neighbors).append(",\"popularity\":")
            .append(popularity).append("}\n");
    }

    private static JsonHttp.Response importRun(JsonHttp http, String run) {
        return http.post("/_recommend/model/im/_import", "{\"staging_index\":\"" + STAGING + "\",\"run_id\":\"" + run + "\"}");
    }

    private static JsonNode model(JsonHttp http) {
        return ok(http.get("/_recommend/model/im")).at("/im");
    }

    private static JsonNode doc(JsonHttp http, String index, String id) {
        return ok(http.get("/" + index + "/_doc/" + id + "?_source_exclude_vectors=false")).at("/_source");
    }

    private static List<String> recommended(JsonHttp http, String user) {
        JsonHttp.Response response = ok(http.post("/im_items/_search", "{\"size\":3,\"query\":{\"recommend\":{\"model\":\"im\","
            + "\"user\":\"" + user + "\",\"signals\":{\"collaborative\":{\"weight\":1}}}}}"));
        List<String> ids = new ArrayList<>();
        response.at("/hits/hits").forEach(hit -> ids.add(hit.get("_id").asText()));
        return ids;
    }

    @Test
    @Order(1)
    void aCompleteRunIsServedAndLaterEventsAreKept(JsonHttp http) {
        stage(http, "r1", 1f, ITEMS + 1, null);
        JsonHttp.Response imported = ok(importRun(http, "r1"));
        assertEquals("r1", imported.at("/run_id").asText());
        assertEquals(ITEMS, imported.at("/items").asInt(), imported.body());
        assertEquals(1, imported.at("/items_not_in_catalogue").asInt(), imported.body());
        assertEquals(USERS - 2, imported.at("/users").asInt(), imported.body()); // u1 and u2 took events the job did not read
        assertEquals(3, imported.at("/profiles_with_new_events").asInt(), imported.body()); // and the newcomer
        assertEquals(0, imported.at("/profiles_not_refolded").asInt(), imported.body());
        assertEquals(123, imported.at("/events").asInt());
        assertEquals(CUTOFF, imported.at("/events_cutoff").asText());

        JsonNode model = model(http);
        assertEquals(1, model.at("/state/slot").asInt(), model.toString());
        assertEquals(ITEMS, model.at("/state/items").asInt(), model.toString());
        assertEquals(0.07, model.at("/factors/lambda").asDouble(), 1e-12);
        assertEquals(12.5, model.at("/factors/alpha").asDouble(), 1e-12);
        assertEquals(404, http.get("/im_items/_doc/ghost").status(), "an item outside the catalogue is not created");

        JsonNode i3 = doc(http, "im_items", "i3");
        float[] expected = itemFactors(3, 1f);
        for (int d = 0; d < DIMS; d++) {
            assertEquals(expected[d], i3.at("/factors_alt/" + d).floatValue(), 1e-5);
        }
        assertEquals(0.5, i3.at("/neighbors_alt/i4").asDouble(), 1e-6);
        assertEquals(4, i3.at("/popularity_alt").asInt());

        // u0 is aligned with i3; its staged history (i0) and seen set (i10) are written and excluded
        JsonNode u0 = doc(http, "im_users", "u0");
        assertEquals("i0", u0.at("/history/0/item").asText(), u0.toString());
        assertEquals("i10", u0.at("/seen/0").asText(), u0.toString());
        assertEquals("i3", recommended(http, "u0").get(0));

        // u1 kept the history the processor wrote after the cut-off, and its vector is folded in from it (i5's direction)
        JsonNode u1 = doc(http, "im_users", "u1");
        assertEquals(1, u1.at("/history").size(), u1.toString());
        assertEquals("i5", u1.at("/history/0/item").asText());
        float[] i5 = itemFactors(5, 1f);
        float[] stagedU1 = itemFactors(6, 1f);
        double towardsI5 = 0;
        double distanceFromStaged = 0;
        for (int d = 0; d < DIMS; d++) {
            towardsI5 += u1.at("/factors_alt/" + d).asDouble() * i5[d];
            distanceFromStaged += Math.abs(u1.at("/factors_alt/" + d).asDouble() - stagedU1[d]);
        }
        assertTrue(towardsI5 > 0, "folded in from its history (i5): " + u1);
        assertTrue(distanceFromStaged > 1e-3, "not the run's vector, which knew nothing of i5: " + u1);
        assertFalse(recommended(http, "u1").contains("i5"), "its history is excluded");

        // u2 kept the late event whose timestamp is before the cut-off; the newcomer got a vector in the version served
        assertEquals("i12", doc(http, "im_users", "u2").at("/history/0/item").asText());
        assertTrue(doc(http, "im_users", "newcomer").at("/factors_alt").isArray(), "folded in before the switch");
        assertFalse(recommended(http, "newcomer").isEmpty());
    }

    @Test
    @Order(2)
    void refusedRunsLeaveTheServedModelAsItWas(JsonHttp http) {
        JsonNode before = model(http);
        JsonNode u0Before = doc(http, "im_users", "u0");

        // one item document short of what the manifest counts: a job still writing
        stage(http, "r2", 2f, ITEMS + 2, null);
        JsonHttp.Response incomplete = importRun(http, "r2");
        assertEquals(409, incomplete.status(), incomplete.body());
        assertTrue(incomplete.at("/error/reason").asText().contains("run [r2] is incomplete"), incomplete.body());

        // a user document with a vector of the wrong length: refused before any profile is written
        stage(http, "r3", 2f, ITEMS + 1, "u4");
        JsonHttp.Response malformed = importRun(http, "r3");
        assertEquals(400, malformed.status(), malformed.body());
        assertTrue(malformed.at("/error/reason").asText().contains("[staging] user [u4] of run [r3]: [factors] must be an array of 4"),
            malformed.body());

        JsonHttp.Response asTask = http.post("/_recommend/model/im/_import?wait_for_completion=false", "{\"staging_index\":\""
            + STAGING + "\",\"run_id\":\"r9\"}");
        assertEquals(400, asTask.status(), "refused before a task is started: " + asTask.body());
        JsonHttp.Response noManifest = importRun(http, "r9");
        assertEquals(400, noManifest.status(), noManifest.body());
        assertTrue(noManifest.at("/error/reason").asText().contains("[run_id] [r9] has no manifest in [" + STAGING + "]"),
            noManifest.body());

        assertEquals(before, model(http), "the served model is unchanged");
        assertEquals(u0Before, doc(http, "im_users", "u0"), "no profile was written");
        assertEquals("i3", recommended(http, "u0").get(0));
    }

    @Test
    @Order(3)
    void aRunIsImportedAgainByItsId(JsonHttp http) {
        stage(http, "r4", 3f, ITEMS + 1, null);
        ok(importRun(http, "r4"));
        assertEquals(0, model(http).at("/state/slot").asInt());
        float[] scaled = itemFactors(3, 3f);
        assertEquals(scaled[0], doc(http, "im_items", "i3").at("/factors/0").floatValue(), 1e-5);
        JsonHttp.Response again = ok(importRun(http, "r4"));
        assertEquals(1, model(http).at("/state/slot").asInt(), again.body());
        assertEquals(scaled[0], doc(http, "im_items", "i3").at("/factors_alt/0").floatValue(), 1e-5);
        assertEquals("i3", recommended(http, "u0").get(0));
    }

    @Test
    @Order(4)
    void badRequestsNameTheField(JsonHttp http) {
        assertBad(http, "{\"staging_index\":\"" + STAGING + "\"}", "[run_id] must be 1 to 128 letters");
        assertBad(http, "{\"staging_index\":\"" + STAGING + "\",\"run_id\":\"a b\"}", "[run_id] must be 1 to 128 letters");
        assertBad(http, "{\"run_id\":\"r1\"}", "[staging_index] must name the index");
        assertBad(http, "{\"staging_index\":\"" + STAGING + "\",\"run_id\":\"r1\",\"events\":1}", "unknown field [events]");
        ok(http.put("/" + STAGING + "/_doc/r5:manifest?refresh=true", "{\"run_id\":\"r5\",\"kind\":\"manifest\",\"dims\":8,"
            + "\"lambda\":0.1,\"alpha\":1,\"regularization\":\"weighted\",\"events\":1,\"events_cutoff\":\"" + CUTOFF + "\","
            + "\"items\":1,\"users\":0,\"neighbors\":false}"));
        assertBad(http, "{\"staging_index\":\"" + STAGING + "\",\"run_id\":\"r5\"}", "[manifest.dims] of run [r5] is [8] but model [im]");
        ok(http.put("/" + STAGING + "/_doc/r6:manifest?refresh=true", "{\"run_id\":\"r6\",\"kind\":\"manifest\",\"dims\":4,"
            + "\"lambda\":0.1,\"alpha\":1,\"regularization\":\"constant\",\"events\":1,\"events_cutoff\":\"" + CUTOFF + "\","
            + "\"items\":1,\"users\":0,\"neighbors\":false}"));
        assertBad(http, "{\"staging_index\":\"" + STAGING + "\",\"run_id\":\"r6\"}", "[manifest.regularization] of run [r6] is [constant]");
        ok(http.put("/" + STAGING + "/_doc/r7:manifest?refresh=true", "{\"run_id\":\"r7\",\"kind\":\"manifest\",\"dims\":4,"
            + "\"lambda\":-1,\"alpha\":1,\"regularization\":\"weighted\",\"events\":1,\"events_cutoff\":\"yesterday\","
            + "\"items\":1,\"users\":0,\"neighbors\":false}"));
        assertBad(http, "{\"staging_index\":\"" + STAGING + "\",\"run_id\":\"r7\"}", "[manifest.lambda] of run [r7] must be a finite");
        JsonHttp.Response unknownModel = http.post("/_recommend/model/nope/_import", "{\"staging_index\":\"x\",\"run_id\":\"r1\"}");
        assertEquals(404, unknownModel.status(), unknownModel.body());
        JsonHttp.Response noIndex = http.post("/_recommend/model/im/_import", "{\"staging_index\":\"im_absent\",\"run_id\":\"r1\"}");
        assertEquals(404, noIndex.status(), noIndex.body());
        assertTrue(noIndex.at("/error/reason").asText().contains("im_absent"), noIndex.body());
        assertNotEquals(500, http.post("/_recommend/model/im/_import?wait_for_completion=maybe", "{}").status());
    }

    private static void assertBad(JsonHttp http, String body, String reason) {
        JsonHttp.Response response = http.post("/_recommend/model/im/_import", body);
        assertEquals(400, response.status(), response.body());
        assertTrue(response.body().contains(reason), reason + " in " + response.body());
    }
}
