package org.recsys.recommend.train.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Events acknowledged by {@code recommend_update} while a training runs are in the profiles after it: the training read
 * the events before they came, and must not overwrite the profiles that took them with the histories it read.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingWhileEventsStreamIT {

    private static final int USERS = 600;
    private static final int ITEMS = 300;
    private static final int STREAMED_USERS = 20;

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        assertTrue(response.status() < 300, response.status() + " " + response.body());
        return response;
    }

    @BeforeAll
    void load(JsonHttp http) {
        ok(http.put("/_recommend/model/ts", "{\"items\":{\"index\":\"ts_items\"},\"users\":{\"index\":\"ts_users\",\"max_history\":100},"
            + "\"factors\":{\"dims\":32}}"));
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            items.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"title\":\"item ").append(i).append("\"}\n");
        }
        ok(http.postNdjson("/ts_items/_bulk?refresh=true", items.toString()));
        StringBuilder events = new StringBuilder();
        for (int u = 0; u < USERS; u++) {
            for (int n = 0; n < 20; n++) {
                events.append("{\"index\":{}}\n{\"user\":\"u").append(u).append("\",\"item\":\"i").append(trainedItem(u, n))
                    .append("\"}\n");
            }
        }
        ok(http.postNdjson("/ts_events/_bulk?refresh=true", events.toString()));
        ok(http.post("/_recommend/model/ts/_train", "{\"events\":{\"index\":\"ts_events\"},\"als\":{\"factors\":32,\"iterations\":2}}"));
        ok(http.put("/_ingest/pipeline/ts", "{\"processors\":[{\"recommend_update\":{\"model\":\"ts\"}}]}"));
    }

    // the user's n-th trained item (n < 20); n = 20 is the streamed one, an item with factors the user had not seen
    private static int trainedItem(int user, int n) {
        return (user * 7 + n * 11) % 250;
    }

    private static String streamedItem(int user) {
        return "i" + trainedItem(user, 20);
    }

    @Test
    void eventsAcknowledgedDuringATrainingAreInTheProfilesAfterIt(JsonHttp http) throws InterruptedException {
        String task = ok(http.post("/_recommend/model/ts/_train?wait_for_completion=false",
            "{\"events\":{\"index\":\"ts_events\"},\"als\":{\"factors\":32,\"iterations\":1000}}")).at("/task").asText();
        TrainTasks.waitForPhase(http, task, "als"); // the events are read: from now on they are news to the training
        for (int u = 0; u < STREAMED_USERS; u++) {
            ok(http.post("/ts_live/_doc?pipeline=ts", "{\"user\":\"u" + u + "\",\"item\":\"" + streamedItem(u) + "\"}"));
        }
        // a user the training has never heard of: its profile is created now, with a vector in the version served now
        ok(http.post("/ts_live/_doc?pipeline=ts", "{\"user\":\"newcomer\",\"item\":\"i3\"}"));
        JsonHttp.Response during = ok(http.get("/_tasks/" + task));
        assertTrue(during.at("/completed").asBoolean() == false && "als".equals(during.at("/task/status/phase").asText()),
            "every event was acknowledged before the training wrote a profile (else this test proves nothing): " + during.body());

        JsonHttp.Response done = ok(http.get("/_tasks/" + task + "?wait_for_completion=true&timeout=120s"));
        assertTrue(done.at("/error").isMissingNode(), done.body());
        for (int u = 0; u < STREAMED_USERS; u++) {
            JsonNode source = ok(http.get("/ts_users/_doc/u" + u + "?_source_exclude_vectors=false")).at("/_source");
            Set<String> history = items(source.path("history"));
            assertTrue(history.contains(streamedItem(u)), "u" + u + " keeps the event acknowledged during the training: " + history);
            assertTrue(history.contains("i" + trainedItem(u, 0)), "and what it had before: " + history);
            assertEquals(32, source.path("factors").size(), source.toString());
        }
        assertEquals(STREAMED_USERS + 1, done.at("/response/profiles_with_new_events").asInt(), done.body());
        // the newcomer was not in the training: it has a vector in the version the training switched to all the same
        String served = ok(http.get("/_recommend/model/ts")).at("/ts/state/slot").asInt() == 0 ? "factors" : "factors_alt";
        JsonNode newcomer = ok(http.get("/ts_users/_doc/newcomer?_source_exclude_vectors=false")).at("/_source");
        assertEquals(32, newcomer.path(served).size(), served + " of " + newcomer);
        // a user without new events gets the training's profile as before
        Set<String> quiet = items(ok(http.get("/ts_users/_doc/u" + (USERS - 1))).at("/_source/history"));
        assertEquals(20, quiet.size(), quiet.toString());
    }

    private static Set<String> items(JsonNode history) {
        Set<String> items = new HashSet<>();
        history.forEach(entry -> items.add(entry.isTextual() ? entry.asText() : entry.path("item").asText()));
        return items;
    }
}
