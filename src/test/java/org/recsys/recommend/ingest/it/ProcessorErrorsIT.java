package org.recsys.recommend.ingest.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.ok;

/**
 * Bad events fail only their own bulk item, in Elasticsearch's ingest error format ({@code status} 400,
 * {@code error.type}, an {@code error.reason} naming the field and why), and leave the profile exactly as it was: same
 * version, same history, same vector. A good event in the same bulk goes through.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessorErrorsIT {

    private static final String USERS = "pe_users";
    private static final String EVENTS = "pe_events";

    private final FoldInCatalogue catalogue = new FoldInCatalogue(5, 100, 4, 10, 0.1, 10);

    @BeforeAll
    void load(JsonHttp http) {
        catalogue.load(http, "pe_items");
        IngestFixture.usersIndex(http, USERS, 4);
        IngestFixture.putModel(http, "pe", IngestFixture.modelBody("pe_items", USERS, 4, 0.1, 10, 50));
        IngestFixture.refresh(http, "pe");
        IngestFixture.putModel(http, "pe_cold", IngestFixture.modelBody("pe_items", USERS, 4, 0.1, 10, 50)); // never refreshed
        // the model's PUT maps the items' factors as a 4-dims vector; the index is then replaced by one whose factors are
        // plain floats (the PUT would refuse that mapping, a later recreation is not checked), so an item can carry the
        // wrong number of them
        IngestFixture.putModel(http, "pe_odd", IngestFixture.modelBody("pe_odd_items", USERS, 4, 0.1, 10, 50));
        ok(http.delete("/pe_odd_items"));
        ok(http.put("/pe_odd_items", "{\"mappings\":{\"properties\":{\"factors\":{\"type\":\"float\"}}}}"));
        for (int i = 0; i < 10; i++) {
            ok(http.put("/pe_odd_items/_doc/" + FoldInCatalogue.id(i) + "?refresh=true", catalogue.itemSource(i)));
        }
        IngestFixture.refresh(http, "pe_odd");
        ok(http.put("/pe_odd_items/_doc/odd?refresh=true", "{\"factors\":[0.1,0.2,0.3]}"));

        IngestFixture.pipeline(http, "pe", "[{\"recommend_update\":{\"model\":\"pe\",\"action_weights\":{\"view\":1}}}]");
        IngestFixture.pipeline(http, "pe_missing", "[{\"recommend_update\":{\"model\":\"pe_missing\"}}]");
        IngestFixture.pipeline(http, "pe_cold", "[{\"recommend_update\":{\"model\":\"pe_cold\"}}]");
        IngestFixture.pipeline(http, "pe_odd", "[{\"recommend_update\":{\"model\":\"pe_odd\"}}]");
        IngestFixture.pipeline(http, "pe_profiles", "[{\"recommend_update\":{\"model\":\"pe\",\"mode\":\"profile\"}}]");
        ok(http.post("/" + EVENTS + "/_doc?pipeline=pe&refresh=true", IngestFixture.event("victim", "i1", 2.0, null, null)));
    }

    @Test
    void eachBadEventFailsAloneNamingTheFieldAndNothingIsWritten(JsonHttp http) {
        IngestFixture.Profile before = IngestFixture.profile(http, USERS, "victim");
        assertEquals(Map.of("i1", 2.0), before.history());
        List<String[]> cases = new ArrayList<>(); // document, expected error type, what the reason must say
        cases.add(new String[] { "{\"item\":\"i2\"}", "illegal_argument_exception", "[user] is missing" });
        cases.add(new String[] { "{\"user\":\"victim\"}", "illegal_argument_exception", "[item] is missing" });
        cases.add(new String[] { "{\"user\":\"victim\",\"item\":\"i999\"}", "illegal_argument_exception",
            "[item] [i999] has no [factors] in index [pe_items]" });
        cases.add(new String[] { "{\"user\":\"victim\",\"item\":[\"i2\"]}", "illegal_argument_exception", "[item] must be" });
        cases.add(new String[] { "{\"user\":{\"id\":\"victim\"},\"item\":\"i2\"}", "illegal_argument_exception", "[user] must be" });
        cases.add(new String[] { "{\"user\":\"\",\"item\":\"i2\"}", "illegal_argument_exception", "[user] must be" });
        // a profile's _id is at most 512 bytes: the event fails alone, not the bulk of profiles it would be written with
        cases.add(new String[] { "{\"user\":\"" + "u".repeat(513) + "\",\"item\":\"i2\"}", "illegal_argument_exception",
            "[user] must be at most 512 bytes long" });
        cases.add(new String[] { "{\"user\":\"victim\",\"item\":\"i2\",\"weight\":1e308}", "illegal_argument_exception",
            "[weight] must be a number > 0 and at most 1000000" });
        cases.add(new String[] { "{\"user\":\"victim\",\"item\":\"i2\",\"weight\":\"NaN\"}", "illegal_argument_exception", "[weight]" });
        cases.add(new String[] { "{\"user\":\"victim\",\"item\":\"i2\",\"weight\":\"heavy\"}", "illegal_argument_exception", "[weight]" });
        cases.add(new String[] { "{\"user\":\"victim\",\"item\":\"i2\",\"weight\":1e400}", "illegal_argument_exception", "[weight]" });
        cases.add(new String[] { "{\"user\":\"victim\",\"item\":\"i2\",\"weight\":0}", "illegal_argument_exception", "[weight]" });
        cases.add(new String[] { "{\"user\":\"victim\",\"item\":\"i2\",\"weight\":-2}", "illegal_argument_exception", "[weight]" });
        cases.add(new String[] { "{\"user\":\"victim\",\"item\":\"i2\",\"weight\":true}", "illegal_argument_exception", "[weight]" });
        cases.add(new String[] { "{\"user\":\"victim\",\"item\":\"i2\",\"action\":\"buy\"}", "illegal_argument_exception",
            "[action] [buy]" });
        // a bare NaN is not JSON: the document is rejected by the parser before any pipeline runs, still per document
        cases.add(new String[] { "{\"user\":\"victim\",\"item\":\"i2\",\"weight\":NaN}", "x_content_parse_exception", "NaN" });
        StringBuilder bulk = new StringBuilder();
        for (String[] c : cases) {
            bulk.append("{\"index\":{}}\n").append(c[0]).append('\n');
        }
        bulk.append("{\"index\":{}}\n").append(IngestFixture.event("bystander", "i3", null, "view", null)).append('\n');
        JsonHttp.Response response = ok(http.postNdjson("/" + EVENTS + "/_bulk?pipeline=pe&refresh=true", bulk.toString()));
        assertTrue(response.at("/errors").asBoolean());
        JsonNode items = response.at("/items");
        assertEquals(cases.size() + 1, items.size());
        for (int n = 0; n < cases.size(); n++) {
            assertFailed(items.get(n).path("index"), cases.get(n)[1], cases.get(n)[2], cases.get(n)[0]);
        }
        assertEquals(201, items.get(cases.size()).at("/index/status").asInt(), items.get(cases.size()).toString());
        assertUnchanged(http, "victim", before);
        assertEquals(Map.of("i3", 1.0), IngestFixture.profile(http, USERS, "bystander").history());
        assertEquals(1, eventsOf(http, "victim"), "no failed event was indexed");
    }

    @Test
    void modelProblemsFailTheEventNamingTheModel(JsonHttp http) {
        IngestFixture.Profile before = IngestFixture.profile(http, USERS, "victim");
        String event = IngestFixture.event("victim", "i2", null, null, null);
        assertSingleFailure(http, "pe_missing", event, "[model] unknown recommend model [pe_missing]");
        assertSingleFailure(http, "pe_cold", event, "[model] [pe_cold] has no Gramian yet");
        assertUnchanged(http, "victim", before);

        ok(http.post("/" + EVENTS + "/_doc?pipeline=pe_odd", IngestFixture.event("odd_user", "i1", null, null, null)));
        IngestFixture.Profile oddBefore = IngestFixture.profile(http, USERS, "odd_user");
        assertSingleFailure(http, "pe_odd", IngestFixture.event("odd_user", "odd", null, null, null),
            "[factors] of item [odd] has 3 dims but model [pe_odd] expects 4");
        assertUnchanged(http, "odd_user", oddBefore);
        assertEquals(1, eventsOf(http, "victim"));
    }

    @Test
    void badHistoriesInProfileModeFailTheDocument(JsonHttp http) {
        for (String[] c : new String[][] {
            { "{\"history\":\"i1\"}", "[history] must be an array" },
            { "{\"history\":[{\"item\":\"i1\",\"weight\":-1}]}", "[history] entry for [i1] has an invalid [weight]" },
            { "{\"history\":[{\"item\":\"i1\",\"weight\":0}]}", "[history] entry for [i1] has an invalid [weight] [0]" },
            { "{\"history\":[{\"weight\":1}]}", "[history] entries must be" },
            { "{\"history\":[7]}", "[history] entries must be" } }) {
            JsonHttp.Response response = http.put("/" + USERS + "/_doc/bad_profile?pipeline=pe_profiles", c[0]);
            assertEquals(400, response.status(), c[0] + " -> " + response.body());
            assertEquals("illegal_argument_exception", response.at("/error/type").asText(), response.body());
            assertTrue(response.at("/error/reason").asText().contains(c[1]), c[0] + " -> " + response.body());
            assertEquals(404, http.get("/" + USERS + "/_doc/bad_profile").status(), "nothing written for " + c[0]);
        }
    }

    private void assertSingleFailure(JsonHttp http, String pipeline, String event, String reason) {
        JsonHttp.Response bulk = ok(http.postNdjson("/" + EVENTS + "/_bulk?pipeline=" + pipeline, "{\"index\":{}}\n" + event + "\n"));
        assertFailed(bulk.at("/items/0/index"), "illegal_argument_exception", reason, pipeline + " " + event);
        JsonHttp.Response single = http.post("/" + EVENTS + "/_doc?pipeline=" + pipeline, event);
        assertEquals(400, single.status(), single.body());
        assertTrue(single.at("/error/reason").asText().contains(reason), single.body());
    }

    private static void assertFailed(JsonNode item, String type, String reason, String what) {
        assertEquals(400, item.path("status").asInt(), what + " -> " + item);
        assertEquals(type, item.at("/error/type").asText(), what + " -> " + item);
        assertTrue(item.at("/error/reason").asText().contains(reason), what + ": the reason should say [" + reason + "]: " + item);
    }

    private static void assertUnchanged(JsonHttp http, String user, IngestFixture.Profile before) {
        IngestFixture.Profile after = IngestFixture.profile(http, USERS, user);
        assertEquals(before.version(), after.version(), "a failing event must not write the profile");
        assertEquals(before.history(), after.history());
        assertEquals(FoldInCatalogue.relativeError(after.factors(), toDouble(before.factors())), 0.0, 0.0);
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static long eventsOf(JsonHttp http, String user) {
        ok(http.post("/" + EVENTS + "/_refresh", null));
        String query = String.format(Locale.ROOT, "{\"query\":{\"term\":{\"user.keyword\":\"%s\"}}}", user);
        return ok(http.post("/" + EVENTS + "/_count", query)).at("/count").asLong();
    }
}
