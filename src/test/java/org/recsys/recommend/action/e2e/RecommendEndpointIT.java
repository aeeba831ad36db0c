package org.recsys.recommend.action.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.query.it.QueryCatalog;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.query.it.QueryCatalog.ok;

/** The _recommend endpoint on a real node. */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecommendEndpointIT {

    private final QueryCatalog catalog = new QueryCatalog(11);
    private final List<String> history = List.of("i4", "i14", "i24", "i34", "i44", "i54", "i64", "i74");

    @BeforeAll
    void load(JsonHttp http) {
        catalog.load(http, "ep_items", 1);
        catalog.load(http, "ep_items3", 3);
        ok(http.put("/ep_users", "{\"mappings\":{\"properties\":{\"factors\":{\"type\":\"dense_vector\",\"dims\":8,"
            + "\"similarity\":\"max_inner_product\"},\"history\":{\"type\":\"object\",\"enabled\":false}}}}"));
        StringBuilder h = new StringBuilder("[");
        for (String item : history) {
            h.append(h.length() > 1 ? "," : "").append("{\"item\":\"").append(item).append("\",\"weight\":1}");
        }
        h.append("]");
        ok(http.put("/ep_users/_doc/u1?refresh=true", "{\"factors\":" + vector(catalog.factors[14]) + ",\"history\":" + h + "}"));
        ok(http.put("/ep_users/_doc/cold?refresh=true", "{}"));
        ok(http.put("/_recommend/model/ep",
                "{\"items\":{\"index\":\"ep_items\"},\"users\":{\"index\":\"ep_users\"},\"factors\":{\"dims\":8}}"));
    }

    @Test
    void everyoneGetsSizeResultsFromBackfillWhenRecommendationsRunShort(JsonHttp http) {
        JsonHttp.Response cold = http.post("/ep_items/_recommend", "{\"model\":\"ep\",\"user\":\"cold\",\"size\":7}");
        ok(cold);
        assertEquals(7, cold.at("/recommendations").size(), cold.body());
        JsonHttp.Response unknown = http.post("/ep_items/_recommend", "{\"model\":\"ep\",\"user\":\"ghost\",\"size\":5,"
            + "\"unknown_user\":\"backfill\",\"filter\":{\"term\":{\"in_stock\":true}}}");
        ok(unknown);
        assertEquals(5, unknown.at("/recommendations").size());
        for (JsonNode r : unknown.at("/recommendations")) {
            assertTrue(r.path("backfill").asBoolean(), r.toString());
            assertTrue(catalog.inStock[item(r)], "filters apply to backfill");
        }
        assertEquals(400, http.post("/ep_items/_recommend", "{\"model\":\"ep\",\"user\":\"ghost\"}").status());
        // seeds with no neighbors in stock and no vector-near items in stock: candidates run out, backfill fills the page
        JsonHttp.Response exhausted = http.post("/ep_items/_recommend", "{\"model\":\"ep\",\"items\":[\"i4\"],\"size\":30,"
            + "\"signals\":{\"neighbors\":{}},\"filter\":{\"term\":{\"in_stock\":true}},\"exclude\":[\"i1\",\"i2\"]}");
        ok(exhausted);
        JsonNode recs = exhausted.at("/recommendations");
        assertEquals(30, recs.size(), exhausted.body());
        boolean sawBackfill = false;
        Set<String> seen = new HashSet<>();
        for (JsonNode r : recs) {
            assertTrue(catalog.inStock[item(r)]);
            assertFalse(Set.of("i1", "i2", "i4").contains(r.path("_id").asText()), "excluded and seed items never come back");
            assertTrue(seen.add(r.path("_id").asText()), "no duplicates");
            sawBackfill |= r.path("backfill").asBoolean();
        }
        assertTrue(sawBackfill, exhausted.body());
    }

    @Test
    void reasonsAndSignalsAgreeWithExplain(JsonHttp http) {
        // plain (explained inline), and re-ranked by caps (the page is explained by a second, exact search on its ids)
        for (String extra : List.of("", ",\"diversity\":{\"field\":\"cluster\",\"max_per_value\":1}")) {
            JsonHttp.Response r = http.post("/ep_items/_recommend",
                    "{\"model\":\"ep\",\"user\":\"u1\",\"size\":5,\"backfill\":\"none\"" + extra + "}");
            ok(r);
            assertEquals(5, r.at("/recommendations").size(), r.body());
            assertRecommendationsAgreeWithExplain(http, r);
        }
    }

    private void assertRecommendationsAgreeWithExplain(JsonHttp http, JsonHttp.Response r) {
        for (JsonNode rec : r.at("/recommendations")) {
            JsonHttp.Response explain = http.post("/ep_items/_explain/" + rec.path("_id").asText(),
                "{\"query\":{\"recommend\":{\"model\":\"ep\",\"user\":\"u1\"}}}");
            Map<String, Double> expected = new HashMap<>();
            explain.at("/explanation/details").forEach(d -> expected.put(d.path("description").asText().split(":")[0],
                    d.path("value").asDouble()));
            assertEquals(expected.keySet(), fieldNames(rec.path("signals")));
            expected.forEach((signal, value) -> assertEquals(value, rec.at("/signals/" + signal + "/contribution").asDouble(), 1e-5,
                    signal));
            assertEquals(explain.at("/explanation/value").asDouble(), rec.path("_score").asDouble(), 1e-5);
            for (JsonNode reason : rec.path("reasons")) {
                String text = reason.asText();
                if (text.startsWith("because you liked ")) {
                    String liked = text.substring("because you liked ".length(), text.indexOf(' ', "because you liked ".length()));
                    assertTrue(history.contains(liked), text);
                    assertTrue(catalog.neighbors.get(item(rec)).containsKey(liked), rec.path("_id") + " does not list " + liked);
                }
            }
            assertFalse(rec.path("reasons").isEmpty(), rec.toString());
        }
    }

    @Test
    void perValueCapsMatchTheGreedyWalkOverThePlainRanking(JsonHttp http) {
        // one shard: the shard's own caps make the page; three shards: a merged page that breaks a cap is re-ranked globally
        for (String index : List.of("ep_items", "ep_items3")) {
            List<String> plain = ids(http.post("/" + index + "/_recommend",
                    "{\"model\":\"ep\",\"user\":\"u1\",\"size\":1000,\"backfill\":\"none\"}"));
            JsonHttp.Response capped = http.post("/" + index + "/_recommend", "{\"model\":\"ep\",\"user\":\"u1\",\"size\":12,"
                + "\"backfill\":\"none\",\"diversity\":{\"field\":\"cluster\",\"max_per_value\":2}}");
            ok(capped);
            List<String> expected = greedyCaps(plain, 2, 12);
            assertEquals(12, expected.size(), "the plain ranking holds enough clusters for a full page");
            assertEquals(expected, ids(capped), index);
            assertRecommendationsAgreeWithExplain(http, capped);
        }
    }

    @Test
    void backfillRespectsTheCapsTooAndStillFillsThePage(JsonHttp http) {
        // one seed, neighbors only, in-stock only: the recommendations run out, and popular backfill items of clusters
        // already at their cap must be skipped until the page is full
        for (String index : List.of("ep_items", "ep_items3")) {
            JsonHttp.Response r = http.post("/" + index + "/_recommend", "{\"model\":\"ep\",\"items\":[\"i4\"],\"size\":18,"
                + "\"signals\":{\"neighbors\":{}},\"filter\":{\"term\":{\"in_stock\":true}},"
                + "\"diversity\":{\"field\":\"cluster\",\"max_per_value\":2}}");
            ok(r);
            JsonNode recs = r.at("/recommendations");
            assertEquals(18, recs.size(), r.body());
            Map<Integer, Integer> perCluster = new HashMap<>();
            boolean sawBackfill = false;
            for (JsonNode rec : recs) {
                assertTrue(catalog.inStock[item(rec)]);
                perCluster.merge(item(rec) % QueryCatalog.CLUSTERS, 1, Integer::sum);
                sawBackfill |= rec.path("backfill").asBoolean();
            }
            assertTrue(sawBackfill, r.body());
            perCluster.forEach((cluster, n) -> assertTrue(n <= 2, "cluster " + cluster + " has " + n + ": " + r.body()));
        }
    }

    @Test
    void explainTermsFalseKeepsTheScoresAndDropsOnlyThePerTermBreakdown(JsonHttp http) {
        String query = "{\"size\":5,\"explain\":true,\"query\":{\"recommend\":{\"model\":\"ep\",\"user\":\"u1\","
            + "\"signals\":{\"content\":{\"fields\":[\"title\"]}}%s}}}";
        JsonHttp.Response full = http.post("/ep_items/_search", query.formatted(""));
        JsonHttp.Response brief = http.post("/ep_items/_search", query.formatted(",\"explain_terms\":false"));
        ok(full);
        ok(brief);
        assertEquals(5, full.at("/hits/hits").size());
        for (int i = 0; i < 5; i++) {
            JsonNode a = full.at("/hits/hits/" + i);
            JsonNode b = brief.at("/hits/hits/" + i);
            assertEquals(a.path("_id"), b.path("_id"));
            assertEquals(a.path("_score").asDouble(), b.path("_score").asDouble(), 1e-6);
            // content signal: [raw, normalized, weight]; the raw value's own details are the per-term BM25
            JsonNode fullRaw = a.at("/_explanation/details/0/details/0");
            JsonNode briefRaw = b.at("/_explanation/details/0/details/0");
            assertEquals(fullRaw.path("value").asDouble(), briefRaw.path("value").asDouble(), 1e-6);
            assertFalse(fullRaw.path("details").isEmpty(), fullRaw.toString());
            assertTrue(briefRaw.path("details").isEmpty(), briefRaw.toString());
        }
        JsonHttp.Response bad = http.post("/ep_items/_search", query.formatted(",\"explain_terms\":\"sometimes\""));
        assertEquals(400, bad.status(), bad.body());
        assertTrue(bad.body().contains("[explain_terms]"), bad.body());
    }

    @Test
    void theDiversityRescorerCapsASearchPage(JsonHttp http) {
        List<String> plain = ids(http.post("/ep_items/_recommend",
                "{\"model\":\"ep\",\"user\":\"u1\",\"size\":1000,\"backfill\":\"none\"}"));
        JsonHttp.Response page = http.post("/ep_items/_search", "{\"size\":9,\"query\":{\"recommend\":{\"model\":\"ep\",\"user\":\"u1\"}},"
            + "\"rescore\":{\"window_size\":1000,\"recommend_diversity\":{\"field\":\"cluster\",\"max_per_value\":1}}}");
        ok(page);
        List<String> actual = new ArrayList<>();
        page.at("/hits/hits").forEach(hit -> actual.add(hit.path("_id").asText()));
        assertEquals(greedyCaps(plain, 1, 9), actual);
        assertRescorerBackfill(http);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"field\":\"title\",\"max_per_value\":1}", "[recommend_diversity.field] [title] has no doc values");
        cases.put("{\"field\":\"nope\",\"max_per_value\":1}", "[recommend_diversity.field] [nope] is not mapped");
        cases.put("{\"field\":\"cluster\",\"max_per_value\":0}", "[recommend_diversity.max_per_value] must be >= 1");
        cases.put("{\"field\":\"cluster\",\"max_per_value\":\"two\"}", "[max_per_value]");
        cases.put("{\"field\":\"cluster\"}", "[max_per_value]");
        cases.put("{\"field\":\"cluster\",\"max_per_value\":1,\"colour\":1}", "[colour]");
        cases.put("{\"field\":\"cluster\",\"max_per_value\":1,\"backfill\":{\"size\":5,\"sort_field\":\"title\"}}",
            "[recommend_diversity.backfill.sort_field] [title] must be a numeric field");
        cases.put("{\"field\":\"cluster\",\"max_per_value\":1,\"backfill\":{\"size\":-5,\"sort_field\":\"popularity\"}}",
            "[recommend_diversity.backfill.size]");
        assertEach400NamesTheField(http, "/ep_items/_search", cases, rescorer -> "{\"query\":{\"recommend\":{\"model\":\"ep\","
            + "\"user\":\"u1\"}},\"rescore\":{\"window_size\":50,\"recommend_diversity\":" + rescorer + "}}");
    }

    /** Sends every case's body (made from its key) and expects a 400 whose body contains the case's value. */
    private static void assertEach400NamesTheField(JsonHttp http, String path, Map<String, String> cases, UnaryOperator<String> body) {
        for (Map.Entry<String, String> c : cases.entrySet()) {
            JsonHttp.Response r = http.post(path, body.apply(c.getKey()));
            assertEquals(400, r.status(), c.getKey() + " -> " + r.body());
            assertTrue(r.body().contains(c.getValue()), c.getKey() + " does not name " + c.getValue() + ": " + r.body());
        }
    }

    /**
     * The rescorer's backfill in a plain _search: a neighbors-only query from one seed gives few candidates, caps of 2 per
     * cluster leave the page short, and the shard adds popular in-stock items. Checked against the definition: recommendations
     * first (the greedy walk), then backfill with negative scores in popularity order, every one in stock, not excluded, not
     * already on the page, caps holding over the whole page, and no skipped item more popular than the last one taken that
     * would have fitted.
     */
    private void assertRescorerBackfill(JsonHttp http) {
        String query = "{\"recommend\":{\"model\":\"ep\",\"items\":[\"i4\"],\"signals\":{\"neighbors\":{}}}}";
        List<String> plain = new ArrayList<>();
        JsonHttp.Response all = http.post("/ep_items/_search", "{\"size\":1000,\"query\":" + query + "}");
        ok(all);
        all.at("/hits/hits").forEach(hit -> plain.add(hit.path("_id").asText()));
        JsonHttp.Response r = http.post("/ep_items/_search", "{\"size\":14,\"explain\":true,\"query\":" + query + ",\"rescore\":{"
            + "\"window_size\":1000,\"recommend_diversity\":{\"field\":\"cluster\",\"max_per_value\":2,\"backfill\":{\"size\":14,"
            + "\"sort_field\":\"popularity\",\"filter\":{\"term\":{\"in_stock\":true}},\"exclude\":[\"i4\",\"i1\"]}}}}");
        ok(r);
        JsonNode hits = r.at("/hits/hits");
        assertEquals(14, hits.size(), r.body());
        List<String> recommended = greedyCaps(plain, 2, 14);
        assertTrue(recommended.size() < 14, "the caps leave the page short: " + recommended);
        Map<Integer, Integer> perCluster = new HashMap<>();
        Set<String> onPage = new HashSet<>();
        double lastPopularity = Double.MAX_VALUE;
        for (int i = 0; i < hits.size(); i++) {
            JsonNode hit = hits.get(i);
            String id = hit.path("_id").asText();
            int item = Integer.parseInt(id.substring(1));
            onPage.add(id);
            perCluster.merge(item % QueryCatalog.CLUSTERS, 1, Integer::sum);
            if (i < recommended.size()) {
                assertEquals(recommended.get(i), id);
                assertTrue(hit.path("_score").asDouble() >= 0);
                continue;
            }
            assertTrue(hit.path("_score").asDouble() < 0, hit.toString());
            assertTrue(hit.at("/_explanation/description").asText().startsWith("backfill"), hit.toString());
            assertTrue(catalog.inStock[item], id + " is not in stock");
            assertFalse(Set.of("i4", "i1").contains(id), id + " was excluded");
            assertTrue(catalog.popularity[item] <= lastPopularity, "backfill in popularity order");
            lastPopularity = catalog.popularity[item];
        }
        perCluster.forEach((cluster, n) -> assertTrue(n <= 2, "cluster " + cluster + " has " + n));
        for (int item = 0; item < QueryCatalog.ITEMS; item++) {
            boolean eligible = catalog.inStock[item] && item != 4 && item != 1 && onPage.contains("i" + item) == false;
            if (eligible && catalog.popularity[item] > lastPopularity) {
                assertEquals(2, perCluster.getOrDefault(item % QueryCatalog.CLUSTERS, 0), "i" + item + " was skipped but fits");
            }
        }
    }

    /** The brute-force oracle for caps on {@code cluster}: walk the plain ranking, keep what fits. */
    private static List<String> greedyCaps(List<String> plain, int maxPerCluster, int size) {
        List<String> expected = new ArrayList<>();
        Map<Integer, Integer> counts = new HashMap<>();
        for (String id : plain) {
            int cluster = Integer.parseInt(id.substring(1)) % QueryCatalog.CLUSTERS;
            if (counts.getOrDefault(cluster, 0) < maxPerCluster && expected.size() < size) {
                counts.merge(cluster, 1, Integer::sum);
                expected.add(id);
            }
        }
        return expected;
    }

    @Test
    void mmrMatchesBruteForceAndLambdaOneIsThePlainRanking(JsonHttp http) {
        JsonHttp.Response plainResponse = http.post("/ep_items/_recommend",
                "{\"model\":\"ep\",\"user\":\"u1\",\"size\":80,\"backfill\":\"none\"}");
        List<String> plain = ids(plainResponse);
        assertEquals(plain.subList(0, 10), ids(http.post("/ep_items/_recommend", "{\"model\":\"ep\",\"user\":\"u1\",\"size\":10,"
            + "\"backfill\":\"none\",\"diversity\":{\"mmr\":{\"lambda\":1,\"field\":\"factors\"}}}")));
        Map<String, Double> scores = new LinkedHashMap<>();
        plainResponse.at("/recommendations").forEach(r -> scores.put(r.path("_id").asText(), r.path("_score").asDouble()));
        List<String> expected = bruteForceMmr(scores, 0.5, 10);
        List<String> actual = ids(http.post("/ep_items/_recommend", "{\"model\":\"ep\",\"user\":\"u1\",\"size\":10,\"backfill\":\"none\","
            + "\"diversity\":{\"mmr\":{\"lambda\":0.5,\"field\":\"factors\"}}}"));
        assertEquals(expected, actual);
    }

    @Test
    void ditheringIsStablePerSeedAndRotatesAcrossSeeds(JsonHttp http) {
        String body = "{\"model\":\"ep\",\"user\":\"u1\",\"size\":20,\"backfill\":\"none\",\"dither\":{\"seed\":%d,\"epsilon\":2}}";
        List<String> a = ids(http.post("/ep_items/_recommend", body.formatted(1)));
        assertEquals(a, ids(http.post("/ep_items/_recommend", body.formatted(1))));
        assertNotEquals(a, ids(http.post("/ep_items/_recommend", body.formatted(2))));
        List<String> plain = ids(http.post("/ep_items/_recommend",
                "{\"model\":\"ep\",\"user\":\"u1\",\"size\":200,\"backfill\":\"none\"}"));
        assertTrue(plain.containsAll(a), "dithering only reorders recommended items");
        history.forEach(seen -> assertFalse(a.contains(seen)));
    }

    @Test
    void pagesConcatenateToOneBigPageAndSeenItemsStayOut(JsonHttp http) {
        List<String> all = ids(http.post("/ep_items/_recommend", "{\"model\":\"ep\",\"user\":\"u1\",\"size\":30}"));
        List<String> pages = new ArrayList<>();
        for (int from = 0; from < 30; from += 10) {
            pages.addAll(ids(http.post("/ep_items/_recommend?model=ep&user=u1&size=10&from=" + from, null)));
        }
        assertEquals(all, pages);
        history.forEach(seen -> assertFalse(all.contains(seen)));
        String onlyHistory = "\"filter\":{\"ids\":{\"values\":" + JsonHttp.MAPPER.valueToTree(history) + "}}";
        List<String> withSeen = ids(http.post("/ep_items/_recommend",
                "{\"model\":\"ep\",\"user\":\"u1\",\"size\":8,\"exclude_seen\":false,\"backfill\":\"none\"," + onlyHistory + "}"));
        assertTrue(withSeen.containsAll(history), "exclude_seen false brings them back");
    }

    @Test
    void batchesAnswerEachEntryAndIsolateErrors(JsonHttp http) {
        JsonHttp.Response batch = http.post("/ep_items/_recommend", "{\"requests\":[{\"model\":\"ep\",\"user\":\"u1\",\"size\":2},"
            + "{\"model\":\"ep\",\"size\":-1,\"user\":\"u1\"},{\"model\":\"nope\",\"user\":\"u1\"},7,"
            + "{\"model\":\"ep\",\"items\":[\"i3\"],\"size\":3}]}");
        ok(batch);
        JsonNode responses = batch.at("/responses");
        assertEquals(5, responses.size());
        assertEquals(2, responses.get(0).path("recommendations").size());
        assertEquals(400, responses.get(1).path("status").asInt());
        assertTrue(responses.get(1).at("/error/reason").asText().contains("[size]"));
        assertTrue(responses.get(2).at("/error/reason").asText().contains("[model]"));
        assertEquals(400, responses.get(3).path("status").asInt());
        assertEquals(3, responses.get(4).path("recommendations").size());
    }

    @Test
    void responsesFollowElasticsearchConventions(JsonHttp http) {
        JsonHttp.Response r = http.post("/ep_items/_recommend?pretty", "{\"model\":\"ep\",\"user\":\"u1\",\"size\":2}");
        assertTrue(r.body().contains("\n  \"took\""), r.body());
        assertFalse(r.json().path("timed_out").asBoolean());
        assertEquals(1, r.at("/_shards/successful").asInt());
        JsonHttp.Response filtered = http.post("/ep_items/_recommend?filter_path=recommendations._id",
                "{\"model\":\"ep\",\"user\":\"u1\",\"size\":2}");
        assertEquals(Set.of("recommendations"), fieldNames(filtered.json()));
        assertEquals(Set.of("_id"), fieldNames(filtered.at("/recommendations/0")));
        JsonHttp.Response error = http.post("/ep_items/_recommend", "{\"model\":\"ep\",\"user\":\"u1\",\"size\":-1}");
        assertEquals("illegal_argument_exception", error.at("/error/type").asText());
        assertTrue(error.at("/error/reason").asText().contains("[size]"));
    }

    @Test
    void badParametersAre400sNamingTheField(JsonHttp http) {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"size\":-1}", "[size]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"size\":1001}", "[size]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"size\":\"ten\"}", "[size]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"from\":-2}", "[from]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"from\":9995,\"size\":10}", "[from]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"from\":2147483647,\"size\":1}", "[from]"); // must not wrap around
        cases.put("{\"model\":\"nope\",\"user\":\"u1\"}", "[model]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"diversity\":{\"field\":\"nope\",\"max_per_value\":2}}", "[diversity.field]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"diversity\":{\"field\":\"title\",\"max_per_value\":2}}",
                "[diversity.field] [title] has no doc values");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"diversity\":{\"field\":\"cluster\",\"max_per_value\":0}}",
                "[diversity.max_per_value]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"diversity\":{\"mmr\":{\"lambda\":2}}}", "[diversity.mmr.lambda]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"dither\":{\"epsilon\":0.5}}", "[dither.epsilon]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"backfill\":\"sometimes\"}", "[backfill]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"unknown_user\":\"maybe\"}", "[unknown_user]");
        cases.put("{\"model\":\"ep\"}", "[recommend]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"colour\":\"red\"}", "[colour]");
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"_source\":7}", "[_source]");
        // magnitudes whose products overflow to infinity (MMR then ranked NaNs and failed with a 500)
        cases.put("{\"model\":\"ep\",\"user\":\"u1\",\"signals\":{\"collaborative\":{\"weight\":1e308}},"
            + "\"diversity\":{\"mmr\":{\"lambda\":0.5}}}", "[signals.collaborative.weight] must be a number between 0 and 1000000");
        cases.put("{\"model\":\"ep\",\"user_vector\":[1e30,0,0,0],\"diversity\":{\"mmr\":{\"lambda\":0.5}}}",
            "[user_vector] components must be at most 1000000");
        cases.put("{\"model\":\"ep\",\"history\":[{\"item\":\"i1\",\"weight\":1e30}]}", "[history] entry [i1]");
        cases.put("{\"requests\":[" + "{\"model\":\"ep\",\"user\":\"u1\"},".repeat(100) + "{\"model\":\"ep\",\"user\":\"u1\"}]}",
            "[requests] holds 101 requests, at most 100");
        assertEach400NamesTheField(http, "/ep_items/_recommend", cases, UnaryOperator.identity());
    }

    @Test
    void laterPagesMatchOneBigPageAlsoWhereBackfillTakesOver(JsonHttp http) {
        // few recommendations (a small kNN candidate set), then backfill: pages must concatenate to the big page, both the
        // full pages (searched alone) and the one where recommendations end (the general road)
        String body = "{\"model\":\"ep\",\"user\":\"u1\",\"signals\":{\"collaborative\":{}},\"num_candidates\":15,"
            + "\"size\":%d,\"from\":%d}";
        JsonHttp.Response big = http.post("/ep_items/_recommend", body.formatted(40, 0));
        List<String> all = ids(big);
        assertEquals(40, all.size(), big.body());
        long recommended = 0;
        for (JsonNode rec : big.at("/recommendations")) {
            recommended += rec.path("backfill").asBoolean() ? 0 : 1;
        }
        assertTrue(recommended > 5 && recommended < 35, "recommendations end inside the big page: " + recommended);
        List<String> pages = new ArrayList<>();
        for (int from = 0; from < 40; from += 5) {
            pages.addAll(ids(http.post("/ep_items/_recommend", body.formatted(5, from))));
        }
        assertEquals(all, pages);
    }

    @Test
    void sourceFalseInTheQueryStringReturnsNoSource(JsonHttp http) {
        JsonHttp.Response r = http.get("/ep_items/_recommend?model=ep&user=u1&size=3&_source=false");
        ok(r);
        assertEquals(3, r.at("/recommendations").size(), r.body());
        r.at("/recommendations").forEach(rec -> assertFalse(rec.has("_source"), "no _source: " + rec));
        JsonHttp.Response title = http.get("/ep_items/_recommend?model=ep&user=u1&size=1&_source=title");
        ok(title);
        assertEquals(Set.of("title"), fieldNames(title.at("/recommendations/0/_source")), title.body());
    }

    @Test
    void heavyAndLongHistoriesStillRecommend(JsonHttp http) {
        // repeated events add up: a weight far above Lucene's feature-query limit of 64, and more distinct items than a
        // Boolean query takes clauses, must still give neighbor-based recommendations
        StringBuilder history = new StringBuilder("{\"item\":\"i4\",\"weight\":1000}");
        for (int i = 0; i < 1500; i++) {
            history.append(",\"x").append(i).append('"');
        }
        String body = "{\"model\":\"ep\",\"history\":[" + history + "],\"size\":5,\"backfill\":\"none\","
            + "\"signals\":{\"neighbors\":{}}}";
        JsonHttp.Response r = http.post("/ep_items/_recommend", body);
        ok(r);
        assertEquals(5, r.at("/recommendations").size(), r.body());
        r.at("/recommendations").forEach(rec -> assertTrue(rec.at("/signals/neighbors/raw").asDouble() > 0, rec.toString()));
    }

    private List<String> bruteForceMmr(Map<String, Double> scores, double lambda, int n) {
        List<String> candidates = new ArrayList<>(scores.keySet());
        double max = scores.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        List<String> picked = new ArrayList<>();
        while (picked.size() < n) {
            String best = null;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (String c : candidates) {
                if (picked.contains(c)) {
                    continue;
                }
                double similarity = 0;
                for (String p : picked) {
                    similarity = Math.max(similarity, Vectors.cosine(catalog.factors[Integer.parseInt(c.substring(1))],
                        catalog.factors[Integer.parseInt(p.substring(1))]));
                }
                double value = lambda * scores.get(c) / max - (1 - lambda) * similarity;
                if (value > bestValue) {
                    bestValue = value;
                    best = c;
                }
            }
            picked.add(best);
        }
        return picked;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> ids(JsonHttp.Response r) {
        ok(r);
        List<String> ids = new ArrayList<>();
        r.at("/recommendations").forEach(rec -> ids.add(rec.path("_id").asText()));
        return ids;
    }

    private static int item(JsonNode rec) {
        return Integer.parseInt(rec.path("_id").asText().substring(1));
    }

    private static String vector(float[] v) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            s.append(i > 0 ? "," : "").append(v[i]);
        }
        return s.append("]").toString();
    }
}
