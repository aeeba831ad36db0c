package org.recsys.recommend.query.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.query.it.QueryCatalog.ok;

/** The recommend query on a real node against the brute-force oracle of {@link QueryCatalog}. */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecommendQueryIT {

    private final QueryCatalog catalog = new QueryCatalog(3);
    private final Random random = new Random(5);
    private final float[] user = catalog.userVector(new Random(1), 4);
    private final Map<String, Float> history = catalog.history(new Random(2), 4, 20);

    @BeforeAll
    void load(JsonHttp http) {
        catalog.load(http, "q1", 1);
        catalog.load(http, "q3", 3);
        ok(http.put("/q_users", "{\"mappings\":{\"properties\":{\"factors\":{\"type\":\"dense_vector\",\"dims\":8,"
            + "\"similarity\":\"max_inner_product\"},\"history\":{\"type\":\"object\",\"enabled\":false}}}}"));
        ObjectNode profile = JsonHttp.MAPPER.createObjectNode();
        vector(profile.putArray("factors"), user);
        ArrayNode h = profile.putArray("history");
        history.forEach((item, weight) -> h.addObject().put("item", item).put("weight", weight));
        ok(http.put("/q_users/_doc/full?refresh=true", profile.toString()));
        ObjectNode historyOnly = JsonHttp.MAPPER.createObjectNode();
        historyOnly.set("history", h);
        ok(http.put("/q_users/_doc/history_only?refresh=true", historyOnly.toString()));
        ok(http.put("/q_users/_doc/nothing?refresh=true", "{}"));
    }

    @Test
    void exactBlendEqualsTheBruteForceTop100(JsonHttp http) {
        JsonNode hits = search(http, "q1", query(true, ""), 100);
        List<Integer> expected = catalog.ranking(user, history, 1, 0.5, 0.05, QueryCatalog::any);
        assertRankingMatches(expected, hits, 100);
    }

    @Test
    void aFilteredAliasRestrictsTheCandidatesAsTheQueryFilterDoes(JsonHttp http) {
        ok(http.post("/_aliases", "{\"actions\":[{\"add\":{\"index\":\"q1\",\"alias\":\"q1_c7\","
            + "\"filter\":{\"term\":{\"cluster\":\"c7\"}}}}]}"));
        ArrayNode v = JsonHttp.MAPPER.createArrayNode();
        vector(v, user);
        // the user's nearest items are in cluster 4: candidates taken without the alias filter would all fall outside it
        String collaborative = "{\"recommend\":{\"user_vector\":" + v + ",\"signals\":{\"collaborative\":{}},\"num_candidates\":10";
        JsonNode throughAlias = search(http, "q1_c7", collaborative + "}}", 10);
        JsonNode withFilter = search(http, "q1", collaborative + ",\"filter\":{\"term\":{\"cluster\":\"c7\"}}}}", 10);
        assertEquals(10, throughAlias.size(), "candidates come from inside the alias filter: " + throughAlias);
        assertEquals(ids(withFilter), ids(throughAlias));
        for (JsonNode hit : throughAlias) {
            assertEquals(7, item(hit) % QueryCatalog.CLUSTERS, "i" + item(hit) + " is in the alias");
        }
    }

    @Test
    void anAliasWhoseFilterIsARecommendQueryIsSearchable(JsonHttp http) {
        // building the alias filter's own recommend query must not apply the alias filter again (it recursed until the
        // stack overflowed, which stops the node)
        ArrayNode v = JsonHttp.MAPPER.createArrayNode();
        vector(v, user);
        ok(http.post("/_aliases", "{\"actions\":[{\"add\":{\"index\":\"q1\",\"alias\":\"q1_recommended\",\"filter\":"
            + "{\"recommend\":{\"user_vector\":" + v + ",\"signals\":{\"collaborative\":{}},\"num_candidates\":20}}}}]}"));
        JsonNode hits = search(http, "q1_recommended", "{\"match_all\":{}}", 50);
        assertEquals(20, hits.size(), "the alias shows the filter's 20 candidates: " + hits);
        JsonNode nested = search(http, "q1_recommended", "{\"recommend\":{\"user_vector\":" + v
            + ",\"signals\":{\"collaborative\":{}},\"num_candidates\":5}}", 50);
        assertEquals(5, nested.size(), "a recommend query through it: " + nested);
    }

    @Test
    void defaultCandidatesFindTheExactTop100(JsonHttp http) {
        JsonNode hits = search(http, "q1", query(false, ""), 100);
        List<Integer> expected = catalog.ranking(user, history, 1, 0.5, 0.05, QueryCatalog::any).subList(0, 100);
        Set<String> found = new HashSet<>();
        for (JsonNode hit : hits) {
            int item = item(hit);
            assertEquals(catalog.score(item, user, history, 1, 0.5, 0.05), hit.path("_score").asDouble(), 1e-4, "score of i" + item);
            found.add("i" + item);
        }
        long recalled = expected.stream().filter(i -> found.contains("i" + i)).count();
        assertTrue(recalled >= 95, "recall@100 of the default candidates: " + recalled + "/100");
    }

    @Test
    void scoresDoNotDependOnTheNumberOfShards(JsonHttp http) {
        Map<String, Double> one = scores(search(http, "q1", query(true, ""), 200));
        Map<String, Double> three = scores(search(http, "q3", query(true, ""), 200));
        int compared = 0;
        for (Map.Entry<String, Double> e : one.entrySet()) {
            Double other = three.get(e.getKey());
            if (other != null) {
                assertEquals(e.getValue(), other, 1e-5 * Math.max(1e-3, Math.abs(e.getValue())), e.getKey());
                compared++;
            }
        }
        assertTrue(compared >= 150, "compared " + compared);
    }

    @Test
    void aSelectiveFilterStillFillsThePageAndExclusionsHold(JsonHttp http) {
        String extra = ",\"filter\":{\"term\":{\"in_stock\":true}},\"exclude\":[\"i14\",\"i24\"]";
        JsonNode hits = search(http, "q1", query(false, extra), 20);
        assertEquals(20, hits.size());
        for (JsonNode hit : hits) {
            int item = item(hit);
            assertTrue(catalog.inStock[item], "i" + item + " is not in stock");
            assertFalse(history.containsKey("i" + item), "seen item i" + item + " came back");
            assertTrue(item != 14 && item != 24);
        }
        List<Integer> expected = catalog.ranking(user, history, 1, 0.5, 0.05, i -> catalog.inStock[i] && i != 14 && i != 24);
        assertEquals(expected.subList(0, 20).stream().map(i -> "i" + i).toList(), ids(hits));
        JsonNode seenAllowed = search(http, "q1", query(true, ",\"exclude_seen\":false"), 1500);
        assertTrue(ids(seenAllowed).containsAll(history.keySet()), "exclude_seen false lets the history back");
    }

    @Test
    void aUserLookupEqualsTheSameInputsInline(JsonHttp http) {
        String lookup = "{\"recommend\":{\"user\":{\"index\":\"q_users\",\"id\":\"full\"},\"signals\":" + signals() + ",\"exact\":true}}";
        assertEquals(ids(search(http, "q1", query(true, ""), 50)), ids(search(http, "q1", lookup, 50)));
    }

    @Test
    void coldUsersAndItems(JsonHttp http) {
        String historyOnly = "{\"recommend\":{\"user\":{\"index\":\"q_users\",\"id\":\"history_only\"},\"signals\":" + signals() + "}}";
        JsonNode hits = search(http, "q1", historyOnly, 10);
        List<Integer> expected = catalog.ranking(null, history, 0, 0.5, 0.05, QueryCatalog::any);
        assertEquals(expected.subList(0, 10).stream().map(i -> "i" + i).toList(), ids(hits), "history without a vector: neighbors");
        String nothing = "{\"recommend\":{\"user\":{\"index\":\"q_users\",\"id\":\"nothing\"},\"signals\":" + signals() + "}}";
        JsonNode popular = search(http, "q1", nothing, 10);
        assertEquals(10, popular.size());
        double previous = Double.MAX_VALUE;
        for (JsonNode hit : popular) {
            double p = catalog.popularity[item(hit)];
            assertTrue(p <= previous, "a user with nothing gets the popularity ranking");
            previous = p;
        }
        // i7, i57, … have no factors; they are still ranked by neighbors and popularity
        assertTrue(ids(search(http, "q1", query(true, ""), 1500)).contains("i7"));
    }

    @Test
    void composesWithTheRestOfTheSearchApi(JsonHttp http) {
        String recommend = query(false, "");
        JsonHttp.Response bool = http.post("/q1/_search", "{\"size\":10,\"query\":{\"bool\":{\"must\":" + recommend
            + ",\"filter\":{\"term\":{\"cluster\":\"c4\"}}}},\"aggs\":{\"clusters\":{\"terms\":{\"field\":\"cluster\"}}}}");
        ok(bool);
        bool.at("/hits/hits").forEach(hit -> assertEquals(4, item(hit) % QueryCatalog.CLUSTERS));
        assertEquals("c4", bool.at("/aggregations/clusters/buckets/0/key").asText(), bool.body());
        JsonHttp.Response boosted = http.post("/q1/_search", "{\"size\":5,\"query\":{\"function_score\":{\"query\":" + recommend
            + ",\"boost_mode\":\"multiply\",\"weight\":2}}}");
        ok(boosted);
        JsonNode plain = search(http, "q1", recommend, 5);
        assertEquals(2 * plain.get(0).path("_score").asDouble(), boosted.at("/hits/hits/0/_score").asDouble(), 1e-4);
        List<String> page = ids(search(http, "q1", recommend, 20));
        JsonHttp.Response second = http.post("/q1/_search", "{\"from\":10,\"size\":10,\"query\":" + recommend + "}");
        assertEquals(page.subList(10, 20), ids(second.at("/hits/hits")));
        JsonHttp.Response first = http.post("/q1/_search", "{\"size\":10,\"query\":" + recommend
                + ",\"sort\":[\"_score\",{\"rank\":\"asc\"}]}");
        JsonNode last = first.at("/hits/hits/9/sort");
        JsonHttp.Response after = http.post("/q1/_search", "{\"size\":10,\"query\":" + recommend
                + ",\"sort\":[\"_score\",{\"rank\":\"asc\"}],"
            + "\"search_after\":" + last + "}");
        assertEquals(page.subList(10, 20), ids(after.at("/hits/hits")), after.body());
        JsonHttp.Response count = http.post("/q1/_count", "{\"query\":" + recommend + "}");
        assertTrue(count.at("/count").asInt() >= 100, count.body());
        JsonHttp.Response msearch = http.postNdjson("/_msearch", "{\"index\":\"q1\"}\n{\"size\":3,\"query\":" + recommend + "}\n");
        assertEquals(page.subList(0, 3), ids(msearch.at("/responses/0/hits/hits")));
        JsonHttp.Response validate = http.post("/q1/_validate/query?explain=true", "{\"query\":" + recommend + "}");
        assertTrue(validate.at("/valid").asBoolean(), validate.body());
        JsonHttp.Response explain = http.post("/q1/_explain/" + page.get(0), "{\"query\":" + recommend + "}");
        assertTrue(explain.at("/matched").asBoolean(), explain.body());
        assertEquals(plain.get(0).path("_score").asDouble(), explain.at("/explanation/value").asDouble(), 1e-5);
    }

    /**
     * The history's text is read by the shard itself on a one-shard index (q1) and by a multi-get on the coordinating node
     * otherwise (q3): either way the content signal must score exactly as if the caller had sent that text as like_text.
     */
    @Test
    void theHistorysContentScoresAsItsTextSentAsLikeText(JsonHttp http) {
        // items of different clusters, so that every title adds its own cluster word to the text
        List<String> items = List.of("i0", "i1", "i2", "i3", "i7", "i10");
        for (String index : List.of("q1", "q3")) {
            StringBuilder titles = new StringBuilder();
            StringBuilder ids = new StringBuilder();
            for (String item : items) {
                String title = http.get("/" + index + "/_doc/" + item).at("/_source/title").asText();
                titles.append(titles.isEmpty() ? "" : ",").append(JsonHttp.MAPPER.valueToTree(title).toString());
                ids.append(ids.isEmpty() ? "" : ",").append('"').append(item).append('"');
            }
            String content = "\"signals\":{\"content\":{\"fields\":[\"title\"],\"weight\":1}}";
            String fromHistory = "{\"recommend\":{\"history\":[" + ids + "]," + content + "}}";
            String fromText = "{\"recommend\":{\"like_text\":[" + titles + "],\"exclude\":[" + ids + "]," + content + "}}";
            Map<String, Double> viaHistory = scores(search(http, index, fromHistory, 30));
            Map<String, Double> viaText = scores(search(http, index, fromText, 30));
            assertEquals(viaText.keySet(), viaHistory.keySet(), index);
            assertFalse(viaText.isEmpty(), index);
            viaText.forEach((id, score) -> assertEquals(score, viaHistory.get(id), 1e-5 * Math.max(1, score), index + " " + id));
        }
    }

    /**
     * The shard caches the history items' text per segment and document: after an item's title changes (and a refresh), the
     * content signal must follow the new title, not the cached one.
     */
    @Test
    void theHistorysContentFollowsAnItemsNewText(JsonHttp http) {
        ok(http.put("/qt", "{\"settings\":{\"number_of_shards\":1},\"mappings\":{\"properties\":{\"title\":{\"type\":\"text\"}}}}"));
        String docs = "{\"index\":{\"_id\":\"a\"}}\n{\"title\":\"apple banana\"}\n{\"index\":{\"_id\":\"b\"}}\n{\"title\":\"apple\"}\n"
            + "{\"index\":{\"_id\":\"c\"}}\n{\"title\":\"kiwi\"}\n{\"index\":{\"_id\":\"d\"}}\n{\"title\":\"kiwi fig\"}\n";
        ok(http.postNdjson("/qt/_bulk?refresh=true", docs));
        String query = "{\"recommend\":{\"history\":[\"a\"],\"signals\":{\"content\":{\"fields\":[\"title\"],\"weight\":1}}}}";
        for (int round = 0; round < 2; round++) { // the second round is served from the cache
            assertEquals(Set.of("b"), scores(search(http, "qt", query, 10)).keySet());
        }
        ok(http.put("/qt/_doc/a?refresh=true", "{\"title\":\"kiwi\"}"));
        assertEquals(Set.of("c", "d"), scores(search(http, "qt", query, 10)).keySet(), "the new title, not the cached one");
        ok(http.delete("/qt"));
    }

    @Test
    void explanationsBreakTheScoreIntoSignals(JsonHttp http) {
        JsonHttp.Response r = http.post("/q1/_search", "{\"size\":5,\"explain\":true,\"query\":" + query(false, "") + "}");
        ok(r);
        for (JsonNode hit : r.at("/hits/hits")) {
            JsonNode details = hit.at("/_explanation/details");
            double sum = 0;
            Set<String> signals = new HashSet<>();
            for (JsonNode signal : details) {
                String name = signal.path("description").asText().split(":")[0];
                signals.add(name);
                double weight = signal.at("/details/2/value").asDouble();
                double normalized = signal.at("/details/1/value").asDouble();
                assertEquals(weight * normalized, signal.path("value").asDouble(), 1e-5, signal.toString());
                sum += signal.path("value").asDouble();
                if (name.equals("neighbors") && signal.at("/details/0/value").asDouble() > 0) {
                    String because = signal.at("/details/0/details/0/description").asText();
                    assertTrue(history.keySet().stream().anyMatch(i -> because.contains("[" + i + "]")), because);
                }
            }
            assertEquals(Set.of("collaborative", "neighbors", "popularity"), signals);
            assertEquals(hit.path("_score").asDouble(), sum, 1e-5);
        }
    }

    @Test
    void badInputIsA400NamingTheField(JsonHttp http) {
        Map<String, String> cases = new HashMap<>();
        cases.put("{\"recommend\":{\"user_vector\":[1,2,3,4,5,6,7,8],\"nope\":1}}", "[nope]");
        cases.put("{\"recommend\":{\"user_vector\":[1,2,3,4,5,6,7,8],\"signals\":{\"magic\":{}}}}", "[magic]");
        cases.put("{\"recommend\":{\"user_vector\":[1,2,3,4,5,6,7,8],\"signals\":{\"collaborative\":{\"weight\":\"x\"}}}}", "[weight]");
        cases.put("{\"recommend\":{\"user_vector\":[1,2,3,4,5,6,7,8],\"exclude_seen\":{}}}", "[exclude_seen]");
        cases.put("{\"recommend\":{\"user_vector\":[1,2,3,4,5,6,7,\"NaN\"]}}", "[user_vector]");
        cases.put("{\"recommend\":{\"user_vector\":[1,2,3,4,5,6,7,1e400]}}", "[user_vector]");
        cases.put("{\"recommend\":{\"user_vector\":[1,2,3]}}", "[user_vector]");
        cases.put("{\"recommend\":{\"user_vector\":[1,2,3,4,5,6,7,8],\"signals\":{\"collaborative\":{\"weight\":-1}}}}",
                "[signals.collaborative.weight]");
        cases.put("{\"recommend\":{\"user_vector\":[1,2,3,4,5,6,7,8],\"signals\":{\"neighbors\":{\"pivot\":0}}}}",
                "[signals.neighbors.pivot]");
        cases.put("{\"recommend\":{\"user_vector\":[1,2,3,4,5,6,7,8],\"signals\":{\"collaborative\":{\"field\":\"nope\"}}}}", "[nope]");
        cases.put("{\"recommend\":{\"user_vector\":[1,2,3,4,5,6,7,8],\"signals\":{\"collaborative\":{\"field\":\"title\"}}}}", "[title]");
        cases.put("{\"recommend\":{\"user\":{\"index\":\"q_users\",\"id\":\"ghost\"}}}",
            "\"type\":\"unknown_user_exception\",\"reason\":\"[user] [ghost] not found");
        cases.put("{\"recommend\":{\"user\":{\"index\":\"no_such_users\",\"id\":\"x\"}}}", "[user.index]");
        cases.put("{\"recommend\":{}}", "[recommend]");
        cases.put("{\"recommend\":{\"history\":[{\"item\":\"i1\",\"weight\":-1}]}}", "[weight]");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            JsonHttp.Response r = http.post("/q1/_search", "{\"query\":" + c.getKey() + "}");
            assertEquals(400, r.status(), c.getKey() + " -> " + r.body());
            assertTrue(r.body().contains(c.getValue()), c.getKey() + " does not name " + c.getValue() + ": " + r.body());
            assertFalse(r.body().contains("\"stack_trace\""), r.body());
        }
    }

    private String query(boolean exact, String extra) {
        ObjectNode h = JsonHttp.MAPPER.createObjectNode();
        ArrayNode entries = JsonHttp.MAPPER.createArrayNode();
        history.forEach((item, weight) -> entries.addObject().put("item", item).put("weight", weight));
        ArrayNode v = JsonHttp.MAPPER.createArrayNode();
        vector(v, user);
        h.set("history", entries);
        return "{\"recommend\":{\"user_vector\":" + v + ",\"history\":" + entries + ",\"signals\":" + signals() + ",\"exact\":" + exact
                + extra
            + "}}";
    }

    private static String signals() {
        return "{\"collaborative\":{\"weight\":1},\"neighbors\":{\"weight\":0.5},\"popularity\":{\"weight\":0.05}}";
    }

    private static JsonNode search(JsonHttp http, String index, String query, int size) {
        JsonHttp.Response r = http.post("/" + index + "/_search", "{\"size\":" + size + ",\"_source\":false,\"query\":" + query + "}");
        ok(r);
        return r.at("/hits/hits");
    }

    private void assertRankingMatches(List<Integer> expected, JsonNode hits, int n) {
        assertEquals(n, hits.size());
        for (int r = 0; r < n; r++) {
            int item = item(hits.get(r));
            double oracle = catalog.score(item, user, history, 1, 0.5, 0.05);
            assertEquals(oracle, hits.get(r).path("_score").asDouble(), 1e-4 * Math.max(1, oracle), "score of i" + item);
            // order: the item at rank r scores like the oracle's item at rank r (equal scores may swap)
            double expectedScore = catalog.score(expected.get(r), user, history, 1, 0.5, 0.05);
            assertEquals(expectedScore, oracle, 1e-4 * Math.max(1, oracle), "rank " + r);
        }
    }

    private static Map<String, Double> scores(JsonNode hits) {
        Map<String, Double> s = new HashMap<>();
        hits.forEach(h -> s.put(h.path("_id").asText(), h.path("_score").asDouble()));
        return s;
    }

    private static List<String> ids(JsonNode hits) {
        List<String> ids = new ArrayList<>();
        hits.forEach(h -> ids.add(h.path("_id").asText()));
        return ids;
    }

    private static int item(JsonNode hit) {
        return Integer.parseInt(hit.path("_id").asText().substring(1));
    }

    private static void vector(ArrayNode target, float[] v) {
        for (float f : v) {
            target.add(f);
        }
    }
}
