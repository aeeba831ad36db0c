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
 * With security on: model reads need {@code monitor}, writes {@code manage} (and {@code _refresh} also read on the
 * items); the processor writes profiles with the privileges of whoever sends the events, so a writer who may not index
 * into the users index gets a failed event, not a silently skipped update; {@code on_failure} handlers run.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealNodeConfig(
    security = true,
    roles = "/security/ingest-roles.yml",
    users = {
        "monitor:monitor-password:model_monitor",
        "manager:manager-password:model_manager",
        "blind:blind-password:model_blind_manager",
        "writer:writer-password:events_writer",
        "nousers:nousers-password:events_writer_without_users" }
)
class SecuredIngestIT {

    private static final String MODEL = IngestFixture.modelBody("sec_items", "sec_users", 4, 0.1, 10, 50);

    private final FoldInCatalogue catalogue = new FoldInCatalogue(17, 60, 4, 6, 0.1, 10);

    @BeforeAll
    void load(JsonHttp admin) {
        catalogue.load(admin, "sec_items");
        IngestFixture.usersIndex(admin, "sec_users", 4);
        ok(admin.put("/sec_events", "{}"));
        IngestFixture.putModel(admin, "sec", MODEL);
        IngestFixture.refresh(admin, "sec");
        IngestFixture.pipeline(admin, "sec", "[{\"recommend_update\":{\"model\":\"sec\"}}]");
        IngestFixture.pipeline(admin, "sec_fallback", """
            [{"recommend_update":{"model":"sec",
              "on_failure":[{"set_security_user":{"field":"failed_by","properties":["username"]}}]}}]""");
    }

    @Test
    void monitorReadsModelsAndManageWritesThem(JsonHttp admin) {
        JsonHttp monitor = admin.as("monitor", "monitor-password");
        assertEquals(200, monitor.get("/_recommend/model/sec").status());
        assertEquals(200, monitor.get("/_recommend/model").status());
        for (JsonHttp.Response denied : new JsonHttp.Response[] {
            monitor.put("/_recommend/model/sec_m", MODEL),
            monitor.post("/_recommend/model/sec/_refresh", null),
            monitor.delete("/_recommend/model/sec") }) {
            assertEquals(403, denied.status(), denied.body());
            assertEquals("security_exception", denied.at("/error/type").asText(), denied.body());
            assertTrue(denied.at("/error/reason").asText().contains("cluster:admin/recommend/model/"), denied.body());
        }
        assertEquals(404, admin.get("/_recommend/model/sec_m").status());

        JsonHttp manager = admin.as("manager", "manager-password");
        ok(manager.put("/_recommend/model/sec_m", MODEL));
        assertEquals(60, ok(manager.post("/_recommend/model/sec_m/_refresh", null)).at("/items").asLong());
        assertEquals(200, manager.get("/_recommend/model/sec_m").status());
        JsonHttp.Response blind = admin.as("blind", "blind-password").post("/_recommend/model/sec_m/_refresh", null);
        assertEquals(403, blind.status(), "_refresh scans the items with the caller's privileges: " + blind.body());
        // a PUT prepares the model's indices with the caller's privileges: cluster manage alone does not reach them
        JsonHttp.Response blindPut = admin.as("blind", "blind-password").put("/_recommend/model/sec_b", MODEL);
        assertEquals(403, blindPut.status(), blindPut.body());
        assertTrue(blindPut.at("/error/reason").asText().contains("indices:admin/mappings/get"), blindPut.body());
        assertEquals(404, admin.get("/_recommend/model/sec_b").status(), "refused before it was stored");
        ok(manager.delete("/_recommend/model/sec_m"));
    }

    @Test
    void eventsWriteProfilesWithTheSendersPrivileges(JsonHttp admin) {
        JsonHttp writer = admin.as("writer", "writer-password");
        ok(writer.post("/sec_events/_doc?pipeline=sec", IngestFixture.event("alice", "i4", 2.0, null, null)));
        IngestFixture.Profile alice = IngestFixture.profile(admin, "sec_users", "alice");
        assertEquals(Map.of("i4", 2.0), alice.history());
        assertTrue(FoldInCatalogue.relativeError(alice.factors(), catalogue.closedForm(alice.history())) < 1e-4);

        JsonHttp nousers = admin.as("nousers", "nousers-password");
        JsonHttp.Response bulk = ok(nousers.postNdjson("/sec_events/_bulk?pipeline=sec",
            "{\"index\":{}}\n" + IngestFixture.event("bob", "i5", null, null, null) + "\n"
                + "{\"index\":{}}\n" + IngestFixture.event("alice", "i6", null, null, null) + "\n"));
        for (int n = 0; n < 2; n++) {
            assertEquals(403, bulk.at("/items/" + n + "/index/status").asInt(), "the profile write is denied: " + bulk.body());
            assertEquals("security_exception", bulk.at("/items/" + n + "/index/error/type").asText(), bulk.body());
            assertTrue(bulk.at("/items/" + n + "/index/error/reason").asText().contains("sec_users"), bulk.body());
        }
        JsonHttp.Response single = nousers.post("/sec_events/_doc?pipeline=sec", IngestFixture.event("bob", "i5", null, null, null));
        assertEquals(403, single.status(), single.body());
        assertFalse(IngestFixture.profile(admin, "sec_users", "bob").exists(), "no profile written for a denied writer");
        assertEquals(alice.version(), IngestFixture.profile(admin, "sec_users", "alice").version(), "alice's profile untouched");
        ok(admin.post("/sec_events/_refresh", null));
        assertEquals(0, ok(admin.post("/sec_events/_count", "{\"query\":{\"term\":{\"user.keyword\":\"bob\"}}}")).at("/count").asLong());
    }

    @Test
    void onFailureHandlersRunAndIndexTheFailedEvent(JsonHttp admin) {
        JsonHttp writer = admin.as("writer", "writer-password");
        ok(writer.post("/sec_events/_doc?pipeline=sec", IngestFixture.event("carol", "i7", null, null, null)));
        IngestFixture.Profile before = IngestFixture.profile(admin, "sec_users", "carol");
        JsonHttp.Response handled = ok(writer.post("/sec_events/_doc?pipeline=sec_fallback&refresh=true",
            IngestFixture.event("carol", "no_such_item", null, null, null)));
        String id = handled.at("/_id").asText();
        assertEquals("writer", ok(admin.get("/sec_events/_doc/" + id)).at("/_source/failed_by/username").asText(),
            "the on_failure handler ran on the failed event");
        assertEquals("no_such_item", ok(admin.get("/sec_events/_doc/" + id)).at("/_source/item").asText());
        IngestFixture.Profile after = IngestFixture.profile(admin, "sec_users", "carol");
        assertEquals(before.version(), after.version(), "the failed event did not touch the profile");
        assertEquals(Map.of("i7", 1.0), after.history());
    }

    @Test
    void aCallersLaterRequestsStartFromTheCachedProfile(JsonHttp admin) {
        // with security on, every request carries its own audit request id: the profile cache must still hit across the
        // requests of one caller, so the second event reads no profile
        JsonHttp writer = admin.as("writer", "writer-password");
        ok(writer.post("/sec_events/_doc?pipeline=sec", IngestFixture.event("dora", "i7", null, null, null)));
        long gets = profileGets(admin);
        ok(writer.post("/sec_events/_doc?pipeline=sec", IngestFixture.event("dora", "i8", null, null, null)));
        // one get: the batch's check that the sender sees whole profiles (a partial update of a document that cannot exist,
        // which reads nothing but counts as a get); a profile read would be a second
        assertEquals(gets + 1, profileGets(admin), "the second request's event read no profile");
        IngestFixture.Profile dora = IngestFixture.profile(admin, "sec_users", "dora");
        assertEquals(Map.of("i7", 1.0, "i8", 1.0), dora.history());
        assertTrue(FoldInCatalogue.relativeError(dora.factors(), catalogue.closedForm(dora.history())) < 1e-4);
    }

    private static long profileGets(JsonHttp admin) {
        return ok(admin.get("/sec_users/_stats/get")).at("/_all/total/get/total").asLong();
    }
}
