package org.recsys.recommend.ingest.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.ok;

/**
 * An event counts once: a client's retry under the same {@code _id} (a plain index or a {@code _create} that conflicts)
 * leaves the profile as the first attempt made it, and a simulation of the pipeline writes nothing.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventOnceIT {

    private final FoldInCatalogue catalogue = new FoldInCatalogue(41, 60, 4, 6, 0.1, 10);

    @BeforeAll
    void load(JsonHttp http) {
        catalogue.load(http, "eo_items");
        IngestFixture.putModel(http, "eo", IngestFixture.modelBody("eo_items", "eo_users", 4, 0.1, 10, 50));
        IngestFixture.refresh(http, "eo");
        IngestFixture.pipeline(http, "eo", "[{\"recommend_update\":{\"model\":\"eo\",\"version_field\":\"profile_version\"}}]");
        // a second model on the same profiles, with fields of its own
        IngestFixture.putModel(http, "eo2", "{\"items\":{\"index\":\"eo_items\"},\"users\":{\"index\":\"eo_users\","
            + "\"factors\":\"factors2\",\"history\":\"history2\",\"seen\":\"seen2\"},\"factors\":{\"dims\":4,\"lambda\":0.1,"
            + "\"alpha\":10}}");
        IngestFixture.refresh(http, "eo2");
        IngestFixture.pipeline(http, "eo_both", "[{\"recommend_update\":{\"model\":\"eo\"}},{\"recommend_update\":{\"model\":\"eo2\"}}]");
    }

    @Test
    void oneEventIdCountsOnceForEachModelThatTakesIt(JsonHttp http) {
        ok(http.put("/eo_events/_doc/both1?pipeline=eo_both", IngestFixture.event("cleo", "i7", null, null, null)));
        JsonHttp.Response cleo = ok(http.get("/eo_users/_doc/cleo"));
        assertEquals("i7", cleo.at("/_source/history/0/item").asText(), cleo.body());
        assertEquals("i7", cleo.at("/_source/history2/0/item").asText(), "the second model took it too: " + cleo.body());
        // the same id in another events index is another event
        ok(http.put("/eo_events_other/_doc/both1?pipeline=eo", IngestFixture.event("cleo", "i7", null, null, null)));
        assertEquals(Map.of("i7", 2.0), IngestFixture.profile(http, "eo_users", "cleo").history());
    }

    @Test
    void aStoredHistoryWithAZeroWeightStillTakesEvents(JsonHttp http) {
        // what trainings before the seen set wrote for events of weight 0
        ok(http.put("/eo_users/_doc/dina?refresh=true", "{\"history\":[{\"item\":\"i1\",\"weight\":0},{\"item\":\"i2\",\"weight\":1}]}"));
        ok(http.post("/eo_events/_doc?pipeline=eo", IngestFixture.event("dina", "i3", null, null, null)));
        assertEquals(Map.of("i2", 1.0, "i3", 1.0), IngestFixture.profile(http, "eo_users", "dina").history());
    }

    @Test
    void aRetryUnderTheSameIdCountsOnce(JsonHttp http) {
        String event = IngestFixture.event("ann", "i3", 2.0, null, null);
        ok(http.put("/eo_events/_doc/e1?pipeline=eo", event));
        IngestFixture.Profile first = IngestFixture.profile(http, "eo_users", "ann");
        ok(http.put("/eo_events/_doc/e1?pipeline=eo", event)); // the client did not see the answer and sends it again
        JsonHttp.Response conflict = http.put("/eo_events/_create/e1?pipeline=eo", event);
        assertEquals(409, conflict.status(), conflict.body());
        IngestFixture.Profile after = IngestFixture.profile(http, "eo_users", "ann");
        assertEquals(Map.of("i3", 2.0), after.history(), "counted once, not three times");
        assertEquals(first.version(), after.version(), "the retries wrote nothing");
        // the stored event is the retry, which changed no profile: it carries no profile version
        assertTrue(ok(http.get("/eo_events/_doc/e1")).at("/_source/profile_version").isMissingNode());

        ok(http.put("/eo_events/_doc/e2?pipeline=eo", IngestFixture.event("ann", "i3", 1.0, null, null)));
        assertEquals(Map.of("i3", 3.0), IngestFixture.profile(http, "eo_users", "ann").history(), "another id is another event");
        // events without an id cannot be told from repeats: each counts, as each is stored
        ok(http.post("/eo_events/_doc?pipeline=eo", IngestFixture.event("ann", "i4", null, null, null)));
        ok(http.post("/eo_events/_doc?pipeline=eo", IngestFixture.event("ann", "i4", null, null, null)));
        assertEquals(Map.of("i3", 3.0, "i4", 2.0), IngestFixture.profile(http, "eo_users", "ann").history());
    }

    @Test
    void aRetriedBulkCountsEachEventOnce(JsonHttp http) {
        StringBuilder bulk = new StringBuilder();
        for (int n = 0; n < 30; n++) {
            bulk.append("{\"create\":{\"_id\":\"b").append(n).append("\"}}\n")
                .append(IngestFixture.event("bob", FoldInCatalogue.id(n), null, null, null)).append('\n');
        }
        ok(http.postNdjson("/eo_events/_bulk?pipeline=eo", bulk.toString()));
        JsonHttp.Response retried = ok(http.postNdjson("/eo_events/_bulk?pipeline=eo", bulk.toString()));
        assertEquals(409, retried.at("/items/0/create/status").asInt(), retried.body());
        Map<String, Double> history = IngestFixture.profile(http, "eo_users", "bob").history();
        assertEquals(30, history.size());
        history.values().forEach(weight -> assertEquals(1.0, weight, "each event once: " + history));
    }

    @Test
    void aSimulationWritesNoProfile(JsonHttp http) {
        JsonHttp.Response simulated = ok(http.post("/_ingest/pipeline/eo/_simulate",
            "{\"docs\":[{\"_source\":" + IngestFixture.event("sim", "i5", null, null, null) + "}]}"));
        assertTrue(simulated.at("/docs/0/error").isMissingNode(), simulated.body());
        assertFalse(IngestFixture.profile(http, "eo_users", "sim").exists(), "the simulation wrote no profile");
        JsonHttp.Response invalid = ok(http.post("/_ingest/pipeline/eo/_simulate",
            "{\"docs\":[{\"_source\":{\"user\":\"sim\",\"item\":\"i5\",\"weight\":-1}}]}"));
        assertTrue(invalid.at("/docs/0/error/reason").asText().contains("[weight]"), "a simulation still validates: " + invalid.body());
    }
}
