package org.recsys.recommend.model.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model prepares the indices the plugin writes to: no hand-made mappings on the user's path, a conflicting mapping
 * refused before anything is written, a missing users index created by the first event, and the seen set beyond the
 * bounded history excluded from recommendations.
 */
@ExtendWith(RealNodeExtension.class)
class ModelIndicesIT {

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        assertTrue(response.status() < 300, response.status() + " " + response.body());
        return response;
    }

    private static JsonNode properties(JsonHttp http, String index) {
        return ok(http.get("/" + index + "/_mapping")).json().at("/" + index + "/mappings/properties");
    }

    /** 40 items in two genres, users who each saw 8 items of one genre, as a bulk body for {@code events}. */
    private static void catalogueAndEvents(JsonHttp http, String items, String events) {
        StringBuilder catalogue = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            catalogue.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"title\":\"film ").append(i)
                .append("\",\"genres\":\"").append(i % 2 == 0 ? "even" : "odd").append("\"}\n");
        }
        ok(http.postNdjson("/" + items + "/_bulk?refresh=true", catalogue.toString()));
        StringBuilder bulk = new StringBuilder();
        for (int u = 0; u < 30; u++) {
            for (int n = 0; n < 8; n++) {
                int item = (u % 2) + 2 * ((u * 3 + n) % 20);
                bulk.append("{\"index\":{}}\n{\"user\":\"u").append(u).append("\",\"item\":\"i").append(item).append("\"}\n");
            }
        }
        ok(http.postNdjson("/" + events + "/_bulk?refresh=true", bulk.toString()));
    }

    @Test
    void aCatalogueWithContentFieldsOnlyIsPreparedByTheModelAndTrains(JsonHttp http) {
        // the first step: items with only title (text) and genres (keyword), dims 64, neighbors on
        ok(http.put("/mi_items", "{\"mappings\":{\"properties\":{\"title\":{\"type\":\"text\"},\"genres\":{\"type\":\"keyword\"}}}}"));
        catalogueAndEvents(http, "mi_items", "mi_events");
        ok(http.put("/_recommend/model/mi", "{\"items\":{\"index\":\"mi_items\",\"content\":[\"title\"]},"
            + "\"users\":{\"index\":\"mi_users\"},\"factors\":{\"dims\":64}}"));
        JsonNode items = properties(http, "mi_items");
        assertEquals("dense_vector", items.at("/factors/type").asText(), items.toString());
        assertEquals(64, items.at("/factors/dims").asInt());
        assertEquals("max_inner_product", items.at("/factors/similarity").asText());
        assertEquals("sparse_vector", items.at("/neighbors/type").asText());
        assertEquals("float", items.at("/popularity/type").asText());
        assertEquals("text", items.at("/title/type").asText(), "the user's own fields are untouched");
        JsonNode users = properties(http, "mi_users");
        assertEquals("dense_vector", users.at("/factors/type").asText(), users.toString());
        assertFalse(users.at("/history/enabled").asBoolean(true));
        assertEquals("keyword", users.at("/seen/type").asText());

        JsonNode trained = ok(http.post("/_recommend/model/mi/_train", "{\"events\":{\"index\":\"mi_events\"},\"neighbors\":{\"k\":20}}"))
            .json();
        assertEquals(240, trained.at("/events").asLong(), trained.toString());
        JsonNode after = properties(http, "mi_items");
        assertEquals("sparse_vector", after.at("/neighbors/type").asText(), after.toString());
        assertTrue(after.size() <= 8, "no field per neighbor id (title, genres, both slots of three fields): " + after);
        JsonNode recommended = ok(http.get("/mi_items/_recommend?model=mi&user=u0&size=5")).json();
        assertEquals(5, recommended.at("/recommendations").size(), recommended.toString());
    }

    @Test
    void aConflictingMappingIsA400NamingTheFieldBeforeAnythingIsWritten(JsonHttp http) {
        // what a dynamic mapping makes of a vector: floats; the model needs a dense_vector there
        ok(http.put("/mc_items", "{\"mappings\":{\"properties\":{\"factors\":{\"type\":\"float\"}}}}"));
        JsonHttp.Response refused = http.put("/_recommend/model/mc", "{\"items\":{\"index\":\"mc_items\"},"
            + "\"users\":{\"index\":\"mc_users\"},\"factors\":{\"dims\":8}}");
        assertEquals(400, refused.status(), refused.body());
        String reason = refused.at("/error/reason").asText();
        assertTrue(reason.startsWith("[items.factors] field [factors] of index [mc_items] is mapped as {type=float}: it must be of "
            + "type [dense_vector]; the model needs {type=dense_vector, dims=8"), reason);
        assertEquals(404, http.get("/_recommend/model/mc").status(), "no model stored");
        assertEquals(404, http.get("/mc_users").status(), "no users index created");
        assertFalse(properties(http, "mc_items").has("neighbors"), "nothing added to the items index");

        // dims that differ from an existing vector field: refused the same way
        ok(http.put("/md_items", "{\"mappings\":{\"properties\":{\"factors\":{\"type\":\"dense_vector\",\"dims\":16,"
            + "\"similarity\":\"max_inner_product\"}}}}"));
        JsonHttp.Response dims = http.put("/_recommend/model/md", "{\"items\":{\"index\":\"md_items\"},"
            + "\"users\":{\"index\":\"md_users\"},\"factors\":{\"dims\":8}}");
        assertEquals(400, dims.status(), dims.body());
        assertTrue(dims.at("/error/reason").asText().contains("it has [dims] 16, the model's [factors.dims] is 8"), dims.body());
    }

    @Test
    void trainingChecksTheMappingsBeforeItWrites(JsonHttp http) {
        ok(http.put("/mt_items", "{\"mappings\":{\"properties\":{\"title\":{\"type\":\"text\"}}}}"));
        catalogueAndEvents(http, "mt_items", "mt_events");
        ok(http.put("/_recommend/model/mt", "{\"items\":{\"index\":\"mt_items\"},\"users\":{\"index\":\"mt_users\"},"
            + "\"factors\":{\"dims\":8}}"));
        // someone recreates the users index by hand with a history field that cannot hold the profiles' entries
        ok(http.delete("/mt_users"));
        ok(http.put("/mt_users", "{\"mappings\":{\"properties\":{\"history\":{\"type\":\"keyword\"}}}}"));
        JsonHttp.Response refused = http.post("/_recommend/model/mt/_train", "{\"events\":{\"index\":\"mt_events\"}}");
        assertEquals(400, refused.status(), refused.body());
        assertTrue(refused.at("/error/reason").asText().startsWith("[users.history] field [history] of index [mt_users]"),
            refused.body());
        JsonNode item = ok(http.get("/mt_items/_doc/i0?_source_exclude_vectors=false")).json();
        assertFalse(item.at("/_source").has("factors"), "no item written: " + item);
        assertEquals(0, ok(http.get("/mt_users/_count")).json().at("/count").asLong(), "no profile written");
    }

    @Test
    void theFirstEventCreatesAMissingUsersIndexWithItsMappingAndSeenMeansSeen(JsonHttp http) {
        ok(http.put("/ms_items", "{\"mappings\":{\"properties\":{\"title\":{\"type\":\"text\"}}}}"));
        catalogueAndEvents(http, "ms_items", "ms_train_events");
        ok(http.put("/_recommend/model/ms", "{\"items\":{\"index\":\"ms_items\"},"
            + "\"users\":{\"index\":\"ms_users\",\"max_history\":3},\"factors\":{\"dims\":8}}"));
        ok(http.post("/_recommend/model/ms/_train", "{\"events\":{\"index\":\"ms_train_events\"},\"neighbors\":{\"k\":10}}"));
        // trained: u0 saw 8 items, 3 are in the history, the other 5 in the seen set
        JsonNode u0 = ok(http.get("/ms_users/_doc/u0")).json().at("/_source");
        assertEquals(3, u0.at("/history").size(), u0.toString());
        assertEquals(5, u0.at("/seen").size(), u0.toString());
        assertNothingSeenIsRecommended(http, "u0", seenBy(u0));

        ok(http.delete("/ms_users"));
        ok(http.put("/_ingest/pipeline/ms_events", "{\"processors\":[{\"recommend_update\":{\"model\":\"ms\"}}]}"));
        StringBuilder bulk = new StringBuilder();
        for (int n = 0; n < 7; n++) {
            bulk.append("{\"index\":{}}\n{\"user\":\"new\",\"item\":\"i").append(2 * n).append("\"}\n");
        }
        JsonNode sent = ok(http.postNdjson("/ms_events/_bulk?pipeline=ms_events&refresh=true", bulk.toString())).json();
        assertFalse(sent.at("/errors").asBoolean(), sent.toString());
        JsonNode users = properties(http, "ms_users");
        assertEquals("dense_vector", users.at("/factors/type").asText(), "created with its mapping, not a dynamic one: " + users);
        JsonNode profile = ok(http.get("/ms_users/_doc/new")).json().at("/_source");
        assertEquals(3, profile.at("/history").size(), profile.toString());
        assertEquals(4, profile.at("/seen").size(), profile.toString());
        Set<String> seen = seenBy(profile);
        assertEquals(7, seen.size());
        assertNothingSeenIsRecommended(http, "new", seen);
    }

    private static Set<String> seenBy(JsonNode profile) {
        Set<String> seen = new HashSet<>();
        profile.at("/history").forEach(h -> seen.add(h.at("/item").asText()));
        profile.at("/seen").forEach(s -> seen.add(s.asText()));
        return seen;
    }

    private static void assertNothingSeenIsRecommended(JsonHttp http, String user, Set<String> seen) {
        // 40 items: asking for all the unseen ones must return exactly them
        JsonNode page = ok(http.post("/ms_items/_recommend", "{\"model\":\"ms\",\"user\":\"" + user + "\",\"size\":40}")).json();
        Set<String> recommended = new HashSet<>();
        page.at("/recommendations").forEach(r -> recommended.add(r.at("/_id").asText()));
        assertEquals(40 - seen.size(), recommended.size(), page.toString());
        for (String item : seen) {
            assertFalse(recommended.contains(item), "seen item [" + item + "] recommended to [" + user + "]: " + page);
        }
        JsonNode search = ok(http.post("/ms_items/_search?size=40", "{\"query\":{\"recommend\":{\"model\":\"ms\",\"user\":\"" + user
            + "\"}}}")).json();
        search.at("/hits/hits").forEach(h -> assertFalse(seen.contains(h.at("/_id").asText()), "query: " + h));
    }
}
