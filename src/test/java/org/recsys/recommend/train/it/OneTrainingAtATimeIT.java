package org.recsys.recommend.train.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One training per model at a time, and what a training plans to hold is in the {@code request} circuit breaker while it
 * runs. The first training runs 1,000 ALS iterations over 64 factors (tens of seconds on this data), long enough for the
 * second request, and is then cancelled.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OneTrainingAtATimeIT {

    private static final String LONG = "{\"events\":{\"index\":\"ot_events\"},\"als\":{\"factors\":64,\"iterations\":1000}}";
    private static final String SHORT = "{\"events\":{\"index\":\"ot_events\"},\"als\":{\"factors\":64,\"iterations\":1}}";

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        assertTrue(response.status() < 300, response.status() + " " + response.body());
        return response;
    }

    @BeforeAll
    void load(JsonHttp http) {
        ok(http.put("/_recommend/model/ot", "{\"items\":{\"index\":\"ot_items\"},\"users\":{\"index\":\"ot_users\"},"
            + "\"factors\":{\"dims\":64}}"));
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            items.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"title\":\"item ").append(i).append("\"}\n");
        }
        ok(http.postNdjson("/ot_items/_bulk?refresh=true", items.toString()));
        StringBuilder events = new StringBuilder();
        for (int u = 0; u < 800; u++) {
            for (int n = 0; n < 20; n++) {
                events.append("{\"index\":{}}\n{\"user\":\"u").append(u).append("\",\"item\":\"i").append((u * 13 + n * 29) % 300)
                    .append("\"}\n");
            }
        }
        ok(http.postNdjson("/ot_events/_bulk?refresh=true", events.toString()));
    }

    @Test
    void aSecondTrainingOfTheSameModelIsAConflictWhileTheFirstRuns(JsonHttp http) throws InterruptedException {
        long idle = requestBreakerBytes(http);
        String first = ok(http.post("/_recommend/model/ot/_train?wait_for_completion=false", LONG)).at("/task").asText();
        try {
            TrainTasks.waitForPhase(http, first, "als");
            for (String path : new String[] { "/_recommend/model/ot/_train", "/_recommend/model/ot/_train?wait_for_completion=false" }) {
                JsonHttp.Response second = http.post(path, SHORT);
                assertEquals(409, second.status(), second.body());
                String reason = second.at("/error/reason").asText();
                String busy = "[model] [ot] is already being trained, imported into or refreshed by task [" + first + "]";
                assertTrue(reason.contains(busy), second.body());
            }
            JsonHttp.Response refresh = http.post("/_recommend/model/ot/_refresh", null);
            assertEquals(409, refresh.status(), "a refresh would store its own Gramian meanwhile: " + refresh.body());
            long held = requestBreakerBytes(http) - idle;
            // 16,000 events at 64 bytes, then the factors of 800 users and 300 items at 64 floats: about 1 MB planned
            assertTrue(held > 500_000, "the training's plan is in the request breaker: " + held + " bytes");
        } finally {
            ok(http.post("/_tasks/" + first + "/_cancel", null));
        }
        JsonHttp.Response cancelled = http.get("/_tasks/" + first + "?wait_for_completion=true&timeout=60s");
        assertEquals(200, cancelled.status(), cancelled.body());
        assertTrue(cancelled.at("/error/reason").asText().contains("cancelled"), cancelled.body());
        assertTrue(requestBreakerBytes(http) - idle < 100_000, "released when the training ended: " + requestBreakerBytes(http));
        ok(http.post("/_recommend/model/ot/_train", SHORT)); // the model can be trained again
    }

    @Test
    void aModelPointedElsewhereDuringItsTrainingDoesNotGetThatTrainingsState(JsonHttp http) throws InterruptedException {
        ok(http.put("/_recommend/model/ot2", "{\"items\":{\"index\":\"ot_items\"},\"users\":{\"index\":\"ot_users2\"},"
            + "\"factors\":{\"dims\":64}}"));
        String task = ok(http.post("/_recommend/model/ot2/_train?wait_for_completion=false",
            "{\"events\":{\"index\":\"ot_events\"},\"als\":{\"factors\":64,\"iterations\":150}}")).at("/task").asText();
        TrainTasks.waitForPhase(http, task, "als");
        // meanwhile the model is pointed at another catalogue: the Gramian of ot_items must not land on it
        ok(http.put("/_recommend/model/ot2", "{\"items\":{\"index\":\"ot_items_other\"},\"users\":{\"index\":\"ot_users2\"},"
            + "\"factors\":{\"dims\":64}}"));
        JsonHttp.Response done = http.get("/_tasks/" + task + "?wait_for_completion=true&timeout=120s");
        assertEquals("status_exception", done.at("/error/type").asText(), "the training failed with a conflict: " + done.body());
        assertTrue(done.at("/error/reason").asText().contains("was changed (its items, users, dims or regularization)"), done.body());
        JsonHttp.Response model = ok(http.get("/_recommend/model/ot2"));
        assertEquals("ot_items_other", model.at("/ot2/items/index").asText(), model.body());
        assertTrue(model.at("/ot2/state").isMissingNode() || model.at("/ot2/state").isNull(), "no state from the old catalogue: "
            + model.body());
    }

    private static long requestBreakerBytes(JsonHttp http) {
        JsonHttp.Response stats = ok(http.get("/_nodes/_local/stats/breaker"));
        return stats.at("/nodes").elements().next().at("/breakers/request/estimated_size_in_bytes").asLong();
    }
}
