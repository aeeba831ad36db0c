package org.recsys.recommend.train.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training is all or nothing for what is served: one that fails while it writes (here the users index refuses writes
 * after the items were written) leaves the served item factors, the Gramian and the recommendations exactly as they were;
 * the next training that succeeds switches to what it wrote. Items no event names keep the factors they were given.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailedTrainingIT {

    private static final int USERS = 120;
    private static final int ITEMS = 60;
    private static final String TRAIN = "{\"events\":{\"index\":\"ft_events\"},\"als\":{\"factors\":8,\"iterations\":3}}";

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        assertTrue(response.status() < 300, response.status() + " " + response.body());
        return response;
    }

    @BeforeAll
    void load(JsonHttp http) {
        ok(http.put("/_recommend/model/ft", "{\"items\":{\"index\":\"ft_items\"},\"users\":{\"index\":\"ft_users\"},"
            + "\"factors\":{\"dims\":8}}"));
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            items.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"title\":\"item ").append(i).append("\"}\n");
        }
        // an item no event names, with factors of its own
        items.append("{\"index\":{\"_id\":\"given\"}}\n{\"title\":\"given\",\"factors\":[1,2,3,4,5,6,7,8]}\n");
        ok(http.postNdjson("/ft_items/_bulk?refresh=true", items.toString()));
        ok(http.postNdjson("/ft_events/_bulk?refresh=true", events(0)));
    }

    private static String events(int round) {
        StringBuilder events = new StringBuilder();
        for (int u = 0; u < USERS; u++) {
            for (int n = 0; n < 8; n++) {
                events.append("{\"index\":{}}\n{\"user\":\"u").append(u).append("\",\"item\":\"i")
                    .append((u * 5 + n * (7 + round) + round) % ITEMS).append("\"}\n");
            }
        }
        return events.toString();
    }

    /** The model's served slot and its item factors field (slot 0: the configured name; no slot stored: 0). */
    private static String servedFactors(JsonHttp http) {
        JsonNode slot = ok(http.get("/_recommend/model/ft")).at("/ft/state/slot");
        return slot.isMissingNode() || slot.asInt() == 0 ? "factors" : "factors_alt";
    }

    private static JsonNode itemSource(JsonHttp http, String id) {
        return ok(http.get("/ft_items/_doc/" + id + "?_source_exclude_vectors=false")).at("/_source");
    }

    private static List<String> recommended(JsonHttp http, String user) {
        List<String> ids = recommendedFor(http, "\"" + user + "\"");
        // the profile named as an object, with the model's configured vector field: the served one is read all the same
        assertEquals(ids, recommendedFor(http, "{\"index\":\"ft_users\",\"id\":\"" + user + "\",\"vector_field\":\"factors\"}"));
        return ids;
    }

    private static List<String> recommendedFor(JsonHttp http, String user) {
        List<String> ids = new ArrayList<>();
        ok(http.post("/ft_items/_recommend", "{\"model\":\"ft\",\"user\":" + user + ",\"size\":10}")).at("/recommendations")
            .forEach(r -> ids.add(r.at("/_id").asText()));
        return ids;
    }

    @Test
    void aTrainingThatFailsWhileWritingLeavesTheServedModelAsItWas(JsonHttp http) {
        ok(http.post("/_recommend/model/ft/_train", TRAIN));
        String served = servedFactors(http);
        JsonNode factorsBefore = itemSource(http, "i1").get(served);
        JsonNode gramianBefore = ok(http.get("/_recommend/model/ft")).at("/ft/state/gramian");
        List<String> before = recommended(http, "u1");
        assertEquals(10, before.size(), before.toString());
        assertEquals(8, factorsBefore.size(), "the trained factors are served: " + itemSource(http, "i1"));
        assertEquals(itemSource(http, "given").get("factors"), itemSource(http, "given").get(served),
            "an item outside the events keeps its own factors in the version served");

        // other events (another model would come out), and profiles that cannot be written
        ok(http.postNdjson("/ft_events/_bulk?refresh=true", events(1)));
        ok(http.put("/ft_users/_settings", "{\"index.blocks.write\":true}"));
        JsonHttp.Response failed = http.post("/_recommend/model/ft/_train", TRAIN);
        assertTrue(failed.status() >= 400, "the training must fail: " + failed.status() + " " + failed.body());

        assertEquals(served, servedFactors(http), "still serving the same version");
        assertEquals(factorsBefore, itemSource(http, "i1").get(served), "the served item factors are untouched");
        assertEquals(gramianBefore, ok(http.get("/_recommend/model/ft")).at("/ft/state/gramian"), "and so is the Gramian");
        assertEquals(before, recommended(http, "u1"), "the same recommendations as before the failed training");

        ok(http.put("/ft_users/_settings", "{\"index.blocks.write\":null}"));
        long givenVersion = ok(http.get("/ft_items/_doc/given")).at("/_seq_no").asLong();
        ok(http.post("/_recommend/model/ft/_train", TRAIN));
        assertEquals(givenVersion, ok(http.get("/ft_items/_doc/given")).at("/_seq_no").asLong(),
            "an item outside the events whose other slot already holds its factors is not rewritten");
        String now = servedFactors(http);
        assertNotEquals(served, now, "a training that succeeds switches to the version it wrote");
        assertNotEquals(factorsBefore, itemSource(http, "i1").get(now), "trained on other events");
        assertEquals(itemSource(http, "given").get("factors"), itemSource(http, "given").get(now), "still its own factors");
        assertEquals(10, recommended(http, "u1").size());
    }
}
