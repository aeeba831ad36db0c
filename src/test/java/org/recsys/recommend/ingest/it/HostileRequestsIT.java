package org.recsys.recommend.ingest.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeConfig;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.ok;

/**
 * An attacker's requests against a secured node: every call is authorized before it starts or reveals anything, and a caller
 * under field-level security never erases the fields it cannot see. Field-level security needs a licence above basic: the
 * node runs a (local, self-issued) trial.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealNodeConfig(
    security = true,
    roles = "/security/hostile-roles.yml",
    users = {
        "monitor:monitor-password:h_monitor",
        "reader:reader-password:h_reader",
        "flswriter:flswriter-password:h_fls_writer",
        "flstrainer:flstrainer-password:h_fls_trainer" }
)
class HostileRequestsIT {

    private static final String MODEL = IngestFixture.modelBody("h_items", "h_users", 4, 0.1, 10, 50);
    private static final String TRAIN = "{\"events\":{\"index\":\"h_events\"},\"als\":{\"factors\":4,\"iterations\":2}}";

    private final FoldInCatalogue catalogue = new FoldInCatalogue(23, 40, 4, 5, 0.1, 10);

    @BeforeAll
    void load(JsonHttp admin) {
        ok(admin.post("/_license/start_trial?acknowledge=true", null));
        catalogue.load(admin, "h_items");
        IngestFixture.usersIndex(admin, "h_users", 4);
        StringBuilder events = new StringBuilder();
        for (int u = 0; u < 12; u++) {
            for (int i = 0; i < 5; i++) {
                events.append("{\"index\":{}}\n").append(IngestFixture.event("u" + u, FoldInCatalogue.id((u * 3 + i * 7) % 40), null,
                    null, null)).append('\n');
            }
        }
        FoldInCatalogue.bulkOk(admin, "/h_events/_bulk?refresh=true", events.toString());
        IngestFixture.putModel(admin, "h", MODEL);
        IngestFixture.refresh(admin, "h");
        IngestFixture.pipeline(admin, "h", "[{\"recommend_update\":{\"model\":\"h\"}}]");
    }

    @Test
    void theInfoEndpointNeedsMonitor(JsonHttp admin) {
        assertForbidden(admin.as("reader", "reader-password").get("/_recommend"), "cluster:monitor/recommend/info");
        assertEquals(200, admin.as("monitor", "monitor-password").get("/_recommend").status());
    }

    @Test
    void aTrainingIsAuthorizedBeforeItStartsOrRevealsTheModel(JsonHttp admin) {
        JsonHttp monitor = admin.as("monitor", "monitor-password");
        assertForbidden(monitor.post("/_recommend/model/h/_train?wait_for_completion=false", TRAIN), "cluster:admin/recommend/model/train");
        assertForbidden(monitor.post("/_recommend/model/h/_train", TRAIN), "cluster:admin/recommend/model/train");
        // the same refusal for a model that does not exist: a 404 would tell the caller which models exist
        assertForbidden(monitor.post("/_recommend/model/nope/_train?wait_for_completion=false", TRAIN),
            "cluster:admin/recommend/model/train");
        // an authorized caller's bad body is a 400 before any task starts, not a task whose result is the error
        JsonHttp.Response bad = admin.post("/_recommend/model/h/_train?wait_for_completion=false",
            "{\"events\":{\"index\":\"h_events\"},\"als\":{\"factors\":5}}");
        assertEquals(400, bad.status(), bad.body());
        assertTrue(bad.at("/error/reason").asText().contains("[als.factors]"), bad.body());
        assertEquals(404, admin.post("/_recommend/model/nope/_train?wait_for_completion=false", TRAIN).status());
        JsonHttp.Response tasks = ok(admin.get("/_tasks?actions=cluster:admin/recommend/model/train*"));
        assertTrue(tasks.at("/nodes").isEmpty() || tasks.body().contains("train recommend model") == false, tasks.body());
    }

    @Test
    void aRecommendationIsAuthorizedBeforeItsBodyRevealsWhichModelsExist(JsonHttp admin) {
        JsonHttp monitor = admin.as("monitor", "monitor-password");
        assertForbidden(monitor.post("/h_items/_recommend", "{\"model\":\"nope\",\"user\":\"u1\"}"), "indices:data/read/recommend");
        assertForbidden(monitor.post("/h_items/_recommend", "{\"model\":\"h\",\"user\":\"u1\"}"), "indices:data/read/recommend");
        JsonHttp.Response unknown = admin.as("reader", "reader-password").post("/h_items/_recommend",
            "{\"model\":\"nope\",\"user\":\"u1\"}");
        assertEquals(400, unknown.status(), "an authorized caller learns what is wrong: " + unknown.body());
    }

    @Test
    void anEvaluationNeedsReadOnItsTestIndex(JsonHttp admin) {
        String body = "{\"test\":{\"index\":\"h_events\"},\"k\":5,\"configs\":{\"blend\":{}}}";
        assertForbidden(admin.as("monitor", "monitor-password").post("/_recommend/model/h/_evaluate", body),
            "indices:data/read/recommend/evaluate");
        assertEquals(200, admin.as("reader", "reader-password").post("/_recommend/model/h/_evaluate", body).status());
    }

    @Test
    void aSenderUnderFieldLevelSecurityCannotEraseWhatItCannotSee(JsonHttp admin) {
        ok(admin.put("/h_users/_doc/eve?refresh=true", "{\"email\":\"eve@example.com\",\"history\":[{\"item\":\"i1\",\"weight\":1}]}"));
        JsonHttp writer = admin.as("flswriter", "flswriter-password");
        JsonHttp.Response refused = writer.post("/h_events/_doc?pipeline=h", IngestFixture.event("eve", "i2", null, null, null));
        assertEquals(403, refused.status(), refused.body());
        assertTrue(refused.at("/error/reason").asText().contains("[users.index] the caller reads [h_users] under field- or "
            + "document-level security"), refused.body());
        JsonHttp.Response eve = ok(admin.get("/h_users/_doc/eve"));
        assertEquals("eve@example.com", eve.at("/_source/email").asText(), "the hidden field is still there: " + eve.body());
        assertEquals(Map.of("i1", 1.0), IngestFixture.profile(admin, "h_users", "eve").history(), "the profile is untouched");
        // refused before anything is read or written, for a new profile too
        assertEquals(403, writer.post("/h_events/_doc?pipeline=h", IngestFixture.event("fred", "i2", null, null, null)).status());
        assertFalse(IngestFixture.profile(admin, "h_users", "fred").exists());
    }

    @Test
    void aTrainerUnderFieldLevelSecurityIsRefusedBeforeItWrites(JsonHttp admin) {
        ok(admin.post("/h_items/_update/i3?refresh=true", "{\"doc\":{\"secret\":\"supplier price\"}}"));
        long version = ok(admin.get("/h_items/_doc/i3")).at("/_version").asLong();
        JsonHttp.Response refused = admin.as("flstrainer", "flstrainer-password").post("/_recommend/model/h/_train", TRAIN);
        assertEquals(403, refused.status(), refused.body());
        assertTrue(refused.at("/error/reason").asText().contains("[items.index]"), refused.body());
        JsonHttp.Response item = ok(admin.get("/h_items/_doc/i3"));
        assertEquals("supplier price", item.at("/_source/secret").asText(), item.body());
        assertEquals(version, item.at("/_version").asLong(), "no item rewritten");
    }

    private static void assertForbidden(JsonHttp.Response response, String action) {
        assertEquals(403, response.status(), response.body());
        assertEquals("security_exception", response.at("/error/type").asText(), response.body());
        assertTrue(response.at("/error/reason").asText().contains(action), response.body());
    }
}
