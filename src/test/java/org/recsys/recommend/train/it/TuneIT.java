package org.recsys.recommend.train.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code _train} with {@code tune}: chooses λ, α, the neighbor family and the blend on a validation split of the events,
 * trains on all of them, and stores the choice on the model, which queries naming no signals then use.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TuneIT {

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        assertTrue(response.status() < 300, response.status() + " " + response.body());
        return response;
    }

    /** 60 items in three planted groups; 90 users who each saw 10 items of their group. */
    @BeforeAll
    void load(JsonHttp http) {
        ok(http.put("/_recommend/model/tn", "{\"items\":{\"index\":\"tn_items\"},\"users\":{\"index\":\"tn_users\"},"
            + "\"factors\":{\"dims\":8}}"));
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            items.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"group\":\"g").append(i % 3).append("\"}\n");
        }
        ok(http.postNdjson("/tn_items/_bulk?refresh=true", items.toString()));
        StringBuilder events = new StringBuilder();
        for (int u = 0; u < 90; u++) {
            for (int n = 0; n < 10; n++) {
                int item = u % 3 + 3 * ((u * 7 + n * 3) % 20);
                events.append("{\"index\":{}}\n{\"user\":\"u").append(u).append("\",\"item\":\"i").append(item).append("\"}\n");
            }
        }
        ok(http.postNdjson("/tn_events/_bulk?refresh=true", events.toString()));
        ok(http.postNdjson("/tn_single/_bulk?refresh=true", "{\"index\":{}}\n{\"user\":\"a\",\"item\":\"i1\"}\n"));
    }

    @Test
    void aTunedTrainingStoresWhatItChoseAndQueriesUseIt(JsonHttp http) {
        JsonNode trained = ok(http.post("/_recommend/model/tn/_train", "{\"events\":{\"index\":\"tn_events\"},\"tune\":{\"seed\":3}}"))
            .json();
        JsonNode tuning = trained.at("/tuning");
        assertTrue(tuning.at("/validation_users").asInt() > 50, trained.toString());
        assertTrue(tuning.at("/validation").size() >= 7 + 32, "every ALS setting and blend is listed: " + tuning);
        JsonNode chosen = tuning.at("/chosen");
        double best = 0;
        for (JsonNode row : tuning.at("/validation")) {
            best = Math.max(best, row.at("/ndcg@10").asDouble());
        }
        assertEquals(best, chosen.at("/ndcg@10").asDouble(), 1e-12, "the best validated row is the one chosen: " + tuning);
        assertTrue(chosen.at("/ndcg@10").asDouble() > 0.3, "planted groups are easy to find: " + chosen);

        JsonNode model = ok(http.get("/_recommend/model/tn")).json().at("/tn");
        // the λ validated on 80 % of the events, at the same share of the data's scale on all of them: 900 events of weight 1
        // over 90 users and 60 items, ratio × α × 900 / 150
        double scaled = chosen.at("/lambda_ratio").asDouble() * Math.max(1, chosen.at("/alpha").asDouble()) * 900 / 150;
        assertEquals(scaled, trained.at("/lambda").asDouble(), scaled * 5e-3, trained.toString());
        assertEquals(trained.at("/lambda").asDouble(), model.at("/factors/lambda").asDouble(), 0, model.toString());
        assertEquals(chosen.at("/alpha").asDouble(), model.at("/factors/alpha").asDouble(), 0, model.toString());
        assertEquals("linear", model.at("/signals/collaborative/normalization").asText(), model.toString());
        assertEquals(chosen.at("/neighbors_weight").asDouble(), model.at("/signals/neighbors/weight").asDouble(0), 0, model.toString());
        assertTrue(model.at("/state/items").asInt() > 0, "trained state stored with the choice: " + model);

        // a later training without tune keeps the tuned λ and α (the model's, no longer derived)
        assertEquals(false, model.at("/factors/lambda_auto").asBoolean(true), model.toString());
        JsonNode plain = ok(http.post("/_recommend/model/tn/_train", "{\"events\":{\"index\":\"tn_events\"}}")).json();
        assertEquals(trained.at("/lambda").asDouble(), plain.at("/lambda").asDouble(), 0, plain.toString());
        JsonNode recommended = ok(http.get("/tn_items/_recommend?model=tn&user=u0&size=5")).json();
        assertEquals(5, recommended.at("/recommendations").size(), recommended.toString());
        for (JsonNode r : recommended.at("/recommendations")) {
            int item = Integer.parseInt(r.at("/_id").asText().substring(1));
            assertEquals(0, item % 3, "u0's group is g0: " + recommended);
        }
    }

    @Test
    void aModelWithoutLambdaTakesItFromTheDataAndAModelWithOneKeepsIt(JsonHttp http) {
        ok(http.put("/_recommend/model/tn_auto", "{\"items\":{\"index\":\"tn_items\"},\"users\":{\"index\":\"tn_users\"},"
            + "\"factors\":{\"dims\":8,\"alpha\":10}}"));
        assertTrue(ok(http.get("/_recommend/model/tn_auto")).json().at("/tn_auto/factors/lambda_auto").asBoolean());
        JsonNode trained = ok(http.post("/_recommend/model/tn_auto/_train", "{\"events\":{\"index\":\"tn_events\"}}")).json();
        // 900 events of weight 1 over 90 users and 60 items: 0.5 × α 10 × 900 / 150 = 30
        assertEquals(30.0, trained.at("/lambda").asDouble(), 0, trained.toString());
        JsonNode model = ok(http.get("/_recommend/model/tn_auto")).json().at("/tn_auto/factors");
        assertEquals(30.0, model.at("/lambda").asDouble(), 0, "stored for fold-in: " + model);
        assertTrue(model.at("/lambda_auto").asBoolean(), "the next training derives it again: " + model);
        // the same body PUT again (to change something else) keeps the derived λ with the Gramian it carries over
        ok(http.put("/_recommend/model/tn_auto", "{\"items\":{\"index\":\"tn_items\"},\"users\":{\"index\":\"tn_users\","
            + "\"max_history\":100},\"factors\":{\"dims\":8,\"alpha\":10}}"));
        JsonNode again = ok(http.get("/_recommend/model/tn_auto")).json().at("/tn_auto");
        assertEquals(30.0, again.at("/factors/lambda").asDouble(), 0, again.toString());
        assertTrue(again.at("/state/items").asInt() > 0, again.toString());

        ok(http.put("/_recommend/model/tn_fixed", "{\"items\":{\"index\":\"tn_items\"},\"users\":{\"index\":\"tn_users\"},"
            + "\"factors\":{\"dims\":8,\"lambda\":0.5}}"));
        JsonNode fixed = ok(http.post("/_recommend/model/tn_fixed/_train", "{\"events\":{\"index\":\"tn_events\"}}")).json();
        assertEquals(0.5, fixed.at("/lambda").asDouble(), 0, fixed.toString());
        assertEquals(0.5, ok(http.get("/_recommend/model/tn_fixed")).json().at("/tn_fixed/factors/lambda").asDouble(), 0);
    }

    @Test
    void maxTimeStopsTheSearchAndTheBestSoFarIsTrained(JsonHttp http) {
        ok(http.put("/_recommend/model/tn_quick", "{\"items\":{\"index\":\"tn_items\"},\"users\":{\"index\":\"tn_users\"},"
            + "\"factors\":{\"dims\":8}}"));
        JsonNode trained = ok(http.post("/_recommend/model/tn_quick/_train", "{\"events\":{\"index\":\"tn_events\"},"
            + "\"tune\":{\"max_time\":\"1ms\"}}")).json();
        JsonNode tuning = trained.at("/tuning");
        assertTrue(tuning.at("/stopped_by_max_time").asBoolean(), tuning.toString());
        // the first ALS setting is always fitted and blended with popularity: 1 + 4 rows, then nothing more
        assertEquals(5, tuning.at("/validation").size(), tuning.toString());
        assertEquals(900, trained.at("/events").asLong(), "and the training ran on every event: " + trained);
    }

    @Test
    void badTuneSettingsAre400sNamingTheFieldAndTheModelStays(JsonHttp http) {
        String before = ok(http.get("/_recommend/model/tn")).body();
        String[][] cases = {
            { "{\"validation\":0}", "[tune.validation]" },
            { "{\"validation\":0.9}", "[tune.validation]" },
            { "{\"validation\":\"some\"}", "[validation]" },
            { "{\"max_users\":5}", "[tune.max_users]" },
            { "{\"max_time\":\"-1s\"}", "[tune.max_time]" },
            { "{\"max_time\":\"soon\"}", "[max_time]" },
            { "{\"folds\":3}", "[folds]" },
            { "[]", "tune doesn't support values of type: START_ARRAY" } };
        for (String[] c : cases) {
            String body = "{\"events\":{\"index\":\"tn_events\"},\"tune\":" + c[0] + "}";
            JsonHttp.Response bad = http.post("/_recommend/model/tn/_train", body);
            assertEquals(400, bad.status(), c[0] + " " + bad.body());
            assertTrue(bad.body().contains(c[1]), c[0] + " should name " + c[1] + ": " + bad.body());
        }
        JsonHttp.Response nothingToValidate = http.post("/_recommend/model/tn/_train",
            "{\"events\":{\"index\":\"tn_single\"},\"tune\":{}}");
        assertEquals(400, nothingToValidate.status(), nothingToValidate.body());
        assertTrue(nothingToValidate.at("/error/reason").asText().contains("[tune] needs users with two events or more"),
            nothingToValidate.body());
        assertEquals(before, ok(http.get("/_recommend/model/tn")).body(), "a refused or failed training leaves the model as it was");
    }
}
