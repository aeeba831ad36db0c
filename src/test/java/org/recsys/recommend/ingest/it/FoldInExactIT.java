package org.recsys.recommend.ingest.it;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.id;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.ok;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.relativeError;

/**
 * {@code recommend_update} on a real node against the closed form of {@link FoldInCatalogue}: empty, short and
 * max-length histories (repeats add their weights, the oldest entries drop out), profile mode, the item factor cache
 * after a re-index, and the next {@code recommend} query seeing an acknowledged event. λ and α are not the defaults, so
 * the model's values must be the ones used.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FoldInExactIT {

    private static final String ITEMS = "fx_items";
    private static final String USERS = "fx_users";
    private static final String MODEL = "fx";
    private static final int MAX_HISTORY = 20;
    private static final double TOLERANCE = 1e-4;

    private final FoldInCatalogue catalogue = new FoldInCatalogue(11, 600, 8, 20, 0.5, 2.0);

    @BeforeAll
    void load(JsonHttp http) {
        catalogue.load(http, ITEMS);
        IngestFixture.usersIndex(http, USERS, catalogue.k);
        IngestFixture.putModel(http, MODEL, IngestFixture.modelBody(ITEMS, USERS, catalogue.k, 0.5, 2.0, MAX_HISTORY));
        JsonHttp.Response refreshed = IngestFixture.refresh(http, MODEL);
        assertEquals(catalogue.size, refreshed.at("/items").asLong(), refreshed.body());
        IngestFixture.pipeline(http, "fx_events", """
            [{"recommend_update":{"model":"fx","action_weights":{"view":1,"purchase":5},"version_field":"profile_version"}}]""");
        IngestFixture.pipeline(http, "fx_profiles", "[{\"recommend_update\":{\"model\":\"fx\",\"mode\":\"profile\"}}]");
    }

    @Test
    @Order(1)
    void emptyHistoryInProfileModeGivesTheZeroVector(JsonHttp http) {
        ok(http.put("/" + USERS + "/_doc/empty?pipeline=fx_profiles", "{\"history\":[],\"name\":\"kept\"}"));
        IngestFixture.Profile profile = IngestFixture.profile(http, USERS, "empty");
        assertNotNull(profile.factors(), "profile mode writes a vector even for an empty history");
        assertEquals(0, relativeError(profile.factors(), new double[catalogue.k]), 0.0, "no evidence, no preference");
        assertTrue(profile.history().isEmpty());
        assertEquals("kept", http.get("/" + USERS + "/_doc/empty").at("/_source/name").asText(), "other fields are untouched");
    }

    @Test
    @Order(2)
    void weightedRegularizationUsesLambdaTimesTheUsersItems(JsonHttp http) {
        // ALS-WR, as Spark MLlib trains: λ_u = λ · n_u. k = 8: up to 3 items the short path (eigenbasis), from 4 a full solve
        IngestFixture.usersIndex(http, "fx_users_wr", catalogue.k);
        IngestFixture.putModel(http, "fx_wr", IngestFixture.modelBody(ITEMS, "fx_users_wr", catalogue.k, 0.5, 2.0, MAX_HISTORY)
            .replace("\"alpha\":2.0", "\"alpha\":2.0,\"regularization\":\"weighted\""));
        assertEquals("weighted", ok(http.get("/_recommend/model/fx_wr")).at("/fx_wr/factors/regularization").asText());
        IngestFixture.refresh(http, "fx_wr");
        IngestFixture.pipeline(http, "fx_wr_events", "[{\"recommend_update\":{\"model\":\"fx_wr\"}}]");
        Map<String, Double> expected = new LinkedHashMap<>();
        String[] items = { "i5", "i40", "i77", "i123", "i300", "i5" };
        for (int n = 0; n < items.length; n++) {
            ok(http.post("/fx_events/_doc?pipeline=fx_wr_events", IngestFixture.event("wr", items[n], 1.0, null, null)));
            appendExpected(expected, items[n], 1.0);
            IngestFixture.Profile profile = IngestFixture.profile(http, "fx_users_wr", "wr");
            double weighted = relativeError(profile.factors(), catalogue.closedForm(expected, 0.5 * expected.size()));
            assertTrue(weighted < TOLERANCE, "relative error " + weighted + " after event " + n + " for history " + expected);
            if (expected.size() > 1) {
                double constant = relativeError(profile.factors(), catalogue.closedForm(expected));
                assertTrue(constant > 10 * TOLERANCE, "not the constant-λ vector: " + constant);
            }
        }
    }

    @Test
    @Order(2)
    void shortHistoryWithRepeatsMatchesTheClosedFormAfterEveryEvent(JsonHttp http) {
        // weight: explicit > action_weights[action] > 1; repeats add up (c = 1 + α Σ r)
        String[][] events = {
            { "i3", null, "view" }, { "i17", "2.5", null }, { "i3", null, "purchase" }, { "i250", null, null },
            { "i17", "0.25", "purchase" }, { "i3", "1", null } };
        Map<String, Double> expected = new LinkedHashMap<>();
        for (int n = 0; n < events.length; n++) {
            String[] e = events[n];
            Double weight = e[1] == null ? null : Double.valueOf(e[1]);
            double applied = weight != null ? weight : e[2] == null ? 1 : e[2].equals("purchase") ? 5 : 1;
            JsonHttp.Response indexed = ok(http.post("/fx_events/_doc?pipeline=fx_events",
                IngestFixture.event("short", e[0], weight, e[2], "2026-01-01T00:00:0" + n + "Z")));
            appendExpected(expected, e[0], applied);
            IngestFixture.Profile profile = IngestFixture.profile(http, USERS, "short");
            assertEquals(expected, profile.history(), "history after event " + n);
            double error = relativeError(profile.factors(), catalogue.closedForm(expected));
            assertTrue(error < TOLERANCE, "relative error " + error + " after event " + n + " for history " + expected);
            JsonNode stored = ok(http.get("/fx_events/_doc/" + indexed.at("/_id").asText())).at("/_source");
            assertEquals(profile.version(), stored.path("profile_version").asLong(), "version_field carries the profile's version");
        }
        assertEquals(List.of("i250", "i17", "i3"), IngestFixture.profile(http, USERS, "short").items(), "a repeat moves to the end");
    }

    @Test
    @Order(3)
    void maxLengthHistoryDropsTheOldestAndStillMatches(JsonHttp http) {
        Random random = new Random(23);
        Map<String, Double> expected = new LinkedHashMap<>();
        int events = 45; // over 30 distinct items, so well past max_history = 20, with repeats of dropped and kept items
        for (int n = 0; n < events; n++) {
            String item = id(random.nextInt(30) * 7);
            double weight = 1 + random.nextInt(3);
            appendExpected(expected, item, weight);
            // one event at a time: which entries drop out depends on the order
            ok(http.post("/fx_events/_doc?pipeline=fx_events", IngestFixture.event("long", item, weight, null, null)));
            if (n % 9 == 8) {
                IngestFixture.Profile profile = IngestFixture.profile(http, USERS, "long");
                assertEquals(new ArrayList<>(expected.keySet()), profile.items(), "items, oldest first, after " + (n + 1) + " events");
            }
        }
        IngestFixture.Profile profile = IngestFixture.profile(http, USERS, "long");
        assertEquals(MAX_HISTORY, profile.history().size());
        assertEquals(expected, profile.history());
        double error = relativeError(profile.factors(), catalogue.closedForm(expected));
        assertTrue(error < TOLERANCE, "relative error " + error + " for " + expected);
    }

    @Test
    @Order(4)
    void profileModeNormalizesTheHistoryAndLeavesItemsWithoutFactorsOut(JsonHttp http) {
        String doc = "{\"history\":[\"i1\",{\"item\":\"i2\",\"weight\":3},\"i1\",{\"item\":\"no_such_item\",\"weight\":2}],\"age\":3}";
        ok(http.put("/" + USERS + "/_doc/listed?pipeline=fx_profiles", doc));
        IngestFixture.Profile profile = IngestFixture.profile(http, USERS, "listed");
        assertEquals(Map.of("i2", 3.0, "i1", 2.0, "no_such_item", 2.0), profile.history());
        double error = relativeError(profile.factors(), catalogue.closedForm(Map.of("i1", 2.0, "i2", 3.0)));
        assertTrue(error < TOLERANCE, "relative error " + error);
        StringBuilder history = new StringBuilder("{\"history\":[");
        for (int i = 0; i < 30; i++) {
            history.append(i == 0 ? "" : ",").append('"').append(id(i * 3)).append('"');
        }
        ok(http.put("/" + USERS + "/_doc/too_long?pipeline=fx_profiles", history.append("]}").toString()));
        Map<String, Double> newest = new LinkedHashMap<>();
        for (int i = 10; i < 30; i++) {
            newest.put(id(i * 3), 1.0);
        }
        IngestFixture.Profile bounded = IngestFixture.profile(http, USERS, "too_long");
        assertEquals(newest, bounded.history(), "bounded by max_history, newest kept");
        assertTrue(relativeError(bounded.factors(), catalogue.closedForm(newest)) < TOLERANCE);
        // the 10 oldest left the history for the seen set: exclusion still knows every item the document named
        List<String> oldest = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            oldest.add(id(i * 3));
        }
        JsonNode seen = ok(http.get("/" + USERS + "/_doc/too_long")).json().at("/_source/seen");
        List<String> stored = new ArrayList<>();
        seen.forEach(s -> stored.add(s.asText()));
        assertEquals(oldest, stored, seen.toString());
    }

    @Test
    @Order(5)
    void anAcknowledgedEventIsVisibleToTheNextRecommendQuery(JsonHttp http) {
        for (String item : List.of("i0", "i20", "i40")) { // cluster 0
            ok(http.post("/fx_events/_doc?pipeline=fx_events&refresh=true", IngestFixture.event("q", item, 3.0, null, null)));
        }
        Map<String, Double> before = scores(http, "q");
        String seen = "i1"; // cluster 1, whose neighbors are i21, i41, …
        ok(http.post("/fx_events/_doc?pipeline=fx_events&refresh=true", IngestFixture.event("q", seen, 3.0, null, null)));
        Map<String, Double> after = scores(http, "q");
        assertFalse(after.containsKey(seen), "the new item is excluded as seen at once");
        assertTrue(before.containsKey(seen));
        List<String> neighbors = List.of("i21", "i41", "i61");
        for (String neighbor : neighbors) {
            assertTrue(after.get(neighbor) > before.get(neighbor), neighbor + ": " + before.get(neighbor) + " -> " + after.get(neighbor));
            assertTrue(rank(after, neighbor) < rank(before, neighbor),
                String.format(Locale.ROOT, "%s rank %d -> %d", neighbor, rank(before, neighbor), rank(after, neighbor)));
        }
        assertTrue(rank(after, "i21") < 20, "the closest neighbor of the new item reaches the top 20: " + rank(after, "i21"));
    }

    @Test
    @Order(6)
    void aReindexedItemsNewFactorsAreUsedByTheNextEvent(JsonHttp http) {
        ok(http.post("/fx_events/_doc?pipeline=fx_events", IngestFixture.event("cache", "i5", 2.0, null, null)));
        ok(http.post("/fx_events/_doc?pipeline=fx_events", IngestFixture.event("cache", "i6", 1.0, null, null)));
        // i5's factors are now cached on the node; give it new ones, then refresh so the Gramian agrees with the catalogue
        float[] moved = catalogue.factors(5);
        for (int d = 0; d < moved.length; d++) {
            moved[d] = -2 * moved[d] + 0.3f * d;
        }
        catalogue.setFactors(5, moved);
        ok(http.put("/" + ITEMS + "/_doc/i5?refresh=true", catalogue.itemSource(5)));
        IngestFixture.refresh(http, MODEL);
        ok(http.post("/fx_events/_doc?pipeline=fx_events", IngestFixture.event("cache", "i7", 1.0, null, null)));
        IngestFixture.Profile profile = IngestFixture.profile(http, USERS, "cache");
        Map<String, Double> history = Map.of("i5", 2.0, "i6", 1.0, "i7", 1.0);
        assertEquals(history, profile.history());
        double error = relativeError(profile.factors(), catalogue.closedForm(history));
        assertTrue(error < TOLERANCE, "fold-in with i5's new factors: relative error " + error);
    }

    @Test
    @Order(7)
    void swappedFactorsAreUsedByTheNextEventAlsoWhenTheModelNamesAnAlias(JsonHttp http) {
        // _refresh fills the item factor cache, which hid a missed invalidation in the test above: swapping two items'
        // factors keeps the Gramian (a sum over items), so no refresh follows and the next fold-in must see the new factors
        ok(http.post("/_aliases", "{\"actions\":[{\"add\":{\"index\":\"" + ITEMS + "\",\"alias\":\"fx_catalogue\"}}]}"));
        IngestFixture.usersIndex(http, "fx_alias_users", catalogue.k);
        IngestFixture.putModel(http, "fx_alias",
            IngestFixture.modelBody("fx_catalogue", "fx_alias_users", catalogue.k, 0.5, 2.0, MAX_HISTORY));
        IngestFixture.refresh(http, "fx_alias");
        IngestFixture.pipeline(http, "fx_alias_events", "[{\"recommend_update\":{\"model\":\"fx_alias\"}}]");
        String[][] cases = { { "fx_events", USERS, ITEMS, "40", "41", "42" }, { "fx_alias_events", "fx_alias_users", "fx_catalogue", "50",
            "51", "52" } };
        for (String[] c : cases) {
            String pipeline = c[0];
            String users = c[1];
            String items = c[2];
            int swapped = Integer.parseInt(c[3]);
            int other = Integer.parseInt(c[4]);
            ok(http.post("/fx_events/_doc?pipeline=" + pipeline, IngestFixture.event("swap", "i" + swapped, 2.0, null, null)));
            float[] first = catalogue.factors(swapped);
            catalogue.setFactors(swapped, catalogue.factors(other));
            catalogue.setFactors(other, first);
            ok(http.put("/" + items + "/_doc/i" + swapped + "?refresh=true", catalogue.itemSource(swapped)));
            ok(http.put("/" + items + "/_doc/i" + other + "?refresh=true", catalogue.itemSource(other)));
            ok(http.post("/fx_events/_doc?pipeline=" + pipeline, IngestFixture.event("swap", "i" + c[5], 1.0, null, null)));
            Map<String, Double> history = Map.of("i" + swapped, 2.0, "i" + c[5], 1.0);
            IngestFixture.Profile profile = IngestFixture.profile(http, users, "swap");
            assertEquals(history, profile.history());
            double error = relativeError(profile.factors(), catalogue.closedForm(history));
            assertTrue(error < TOLERANCE, "fold-in through [" + items + "] with i" + swapped + "'s new factors: relative error " + error);
        }
    }

    private static void appendExpected(Map<String, Double> history, String item, double weight) {
        Double previous = history.remove(item);
        history.put(item, previous == null ? weight : previous + weight);
        while (history.size() > MAX_HISTORY) {
            history.remove(history.keySet().iterator().next());
        }
    }

    private Map<String, Double> scores(JsonHttp http, String user) {
        String query = "{\"size\":" + catalogue.size + ",\"_source\":false,\"query\":{\"recommend\":{\"model\":\"" + MODEL
            + "\",\"user\":\"" + user + "\",\"exact\":true}}}";
        JsonHttp.Response response = ok(http.post("/" + ITEMS + "/_search", query));
        Map<String, Double> scores = new LinkedHashMap<>();
        for (JsonNode hit : response.at("/hits/hits")) {
            scores.put(hit.path("_id").asText(), hit.path("_score").asDouble());
        }
        assertTrue(scores.size() > catalogue.size - 10, "exact ranks every unseen item: " + scores.size());
        return scores;
    }

    private static int rank(Map<String, Double> scores, String item) {
        List<String> ids = new ArrayList<>(scores.keySet());
        int rank = ids.indexOf(item);
        assertTrue(rank >= 0, item + " is not ranked");
        return rank;
    }
}
