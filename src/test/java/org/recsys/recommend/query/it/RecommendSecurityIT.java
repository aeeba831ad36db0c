package org.recsys.recommend.query.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeConfig;
import org.recsys.recommend.testing.RealNodeExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.query.it.QueryCatalog.ok;

/**
 * With security on, every lookup runs with the caller's privileges: the query, the endpoint and model management are
 * governed by the roles of the user who sends them.
 */
@ExtendWith(RealNodeExtension.class)
@RealNodeConfig(
    security = true,
    roles = "/security/recommend-roles.yml",
    users = {
        "items_only:items-pass:items_only",
        "both:both-pass:items_and_users",
        "users_only:users-pass:users_only",
        "model_reader:reader-pass:model_reader",
        "model_admin:admin-pass:model_admin",
        "alias_only:alias-pass:alias_only" }
)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecommendSecurityIT {

    private static final String LOOKUP = "{\"query\":{\"recommend\":{\"user\":{\"index\":\"sq_users\",\"id\":\"u1\"}}}}";
    private static final String INLINE = "{\"query\":{\"recommend\":{\"user_vector\":[1,0,0,0,0,0,0,0],\"history\":[\"i3\"]}}}";

    @BeforeAll
    void load(JsonHttp admin) {
        new QueryCatalog(3).load(admin, "sq_items", 1);
        ok(admin.put("/sq_users", "{\"mappings\":{\"properties\":{\"factors\":{\"type\":\"dense_vector\",\"dims\":8,"
            + "\"similarity\":\"max_inner_product\"},\"history\":{\"type\":\"object\",\"enabled\":false}}}}"));
        ok(admin.put("/sq_users/_doc/u1?refresh=true", "{\"factors\":[1,0,0,0,0,0,0,0],\"history\":[\"i3\",\"i13\"]}"));
        ok(admin.post("/_aliases", "{\"actions\":[{\"add\":{\"index\":\"sq_items\",\"alias\":\"sq_catalogue\"}}]}"));
        ok(admin.put("/_recommend/model/secured",
                "{\"items\":{\"index\":\"sq_items\"},\"users\":{\"index\":\"sq_users\"},\"factors\":{\"dims\":8}}"));
    }

    @Test
    void aCallerWhoMayNotReadUsersCannotLookOneUp(JsonHttp admin) {
        JsonHttp itemsOnly = admin.as("items_only", "items-pass");
        JsonHttp.Response denied = itemsOnly.post("/sq_items/_search", LOOKUP);
        assertEquals(403, denied.status(), denied.body());
        assertEquals("security_exception", denied.at("/error/type").asText(), denied.body());
        assertTrue(denied.body().contains("u1") == false || denied.body().contains("factors") == false, "no profile content leaks");
        JsonHttp.Response inline = itemsOnly.post("/sq_items/_search", INLINE);
        assertEquals(200, inline.status(), inline.body());
        assertTrue(inline.at("/hits/hits").size() > 0);
        JsonHttp.Response allowed = admin.as("both", "both-pass").post("/sq_items/_search", LOOKUP);
        assertEquals(200, allowed.status(), allowed.body());
    }

    @Test
    void aSearchDoesNotTellACallerWithoutPrivilegesWhichModelsExist(JsonHttp admin) {
        JsonHttp usersOnly = admin.as("users_only", "users-pass");
        String known = "{\"query\":{\"recommend\":{\"model\":\"secured\",\"items\":[\"i3\"]}}}";
        String unknown = "{\"query\":{\"recommend\":{\"model\":\"no_such_model\",\"items\":[\"i3\"]}}}";
        JsonHttp.Response deniedKnown = usersOnly.post("/sq_items/_search", known);
        JsonHttp.Response deniedUnknown = usersOnly.post("/sq_items/_search", unknown);
        assertEquals(403, deniedKnown.status(), deniedKnown.body());
        assertEquals(403, deniedUnknown.status(), "an unknown model answers as a known one does: " + deniedUnknown.body());
        assertEquals(deniedKnown.at("/error/type").asText(), deniedUnknown.at("/error/type").asText());
        // a request malformed on its own is refused alike, whether the model exists or not
        String badKnown = "{\"query\":{\"recommend\":{\"model\":\"secured\",\"user\":\"u1\",\"num_candidates\":0}}}";
        String badUnknown = "{\"query\":{\"recommend\":{\"model\":\"no_such_model\",\"user\":\"u1\",\"num_candidates\":0}}}";
        JsonHttp.Response malformedKnown = usersOnly.post("/sq_items/_search", badKnown);
        JsonHttp.Response malformedUnknown = usersOnly.post("/sq_items/_search", badUnknown);
        assertEquals(400, malformedKnown.status(), malformedKnown.body());
        assertEquals(malformedKnown.at("/error/reason").asText(), malformedUnknown.at("/error/reason").asText());
        // an authorized caller learns that the model is unknown, with the field named
        JsonHttp.Response authorized = admin.as("items_only", "items-pass").post("/sq_items/_search", unknown);
        assertEquals(400, authorized.status(), authorized.body());
        assertTrue(authorized.body().contains("[model] unknown recommend model [no_such_model]"), authorized.body());
    }

    @Test
    void theEndpointIsGovernedByIndexPrivileges(JsonHttp admin) {
        JsonHttp.Response noItems = admin.as("users_only", "users-pass").post("/sq_items/_recommend",
                "{\"model\":\"secured\",\"items\":[\"i3\"]}");
        assertEquals(403, noItems.status(), noItems.body());
        JsonHttp itemsOnly = admin.as("items_only", "items-pass");
        JsonHttp.Response seeds = itemsOnly.post("/sq_items/_recommend", "{\"model\":\"secured\",\"items\":[\"i3\"],\"size\":3}");
        assertEquals(200, seeds.status(), seeds.body());
        assertEquals(3, seeds.at("/recommendations").size(), seeds.body());
        JsonHttp.Response profile = itemsOnly.post("/sq_items/_recommend", "{\"model\":\"secured\",\"user\":\"u1\"}");
        assertEquals(403, profile.status(), profile.body());
        JsonHttp.Response wildcard = itemsOnly.post("/sq_item*/_recommend", "{\"model\":\"secured\",\"items\":[\"i3\"],\"size\":2}");
        assertEquals(200, wildcard.status(), wildcard.body());
    }

    @Test
    void aCallerWhoMayReadOnlyAnAliasGetsTheSeedItemsThroughIt(JsonHttp admin) {
        // privileges are granted per name: the seed items must be read through the alias searched, not its index
        JsonHttp aliasOnly = admin.as("alias_only", "alias-pass");
        assertEquals(403, aliasOnly.get("/sq_items/_doc/i3").status(), "the index itself is not readable by name");
        JsonHttp.Response search = aliasOnly.post("/sq_catalogue/_search",
            "{\"size\":3,\"query\":{\"recommend\":{\"items\":[\"i3\"],\"signals\":{\"collaborative\":{}}}}}");
        assertEquals(200, search.status(), search.body());
        assertEquals(3, search.at("/hits/hits").size(), search.body());
        assertTrue(search.at("/hits/hits/0/_score").asDouble() > 0, "scored by the seed's factors: " + search.body());
        JsonHttp.Response seeds = aliasOnly.post("/sq_catalogue/_recommend", "{\"model\":\"secured\",\"items\":[\"i3\"],\"size\":3}");
        assertEquals(200, seeds.status(), seeds.body());
        assertEquals(3, seeds.at("/recommendations").size(), seeds.body());
    }

    @Test
    void modelManagementNeedsClusterPrivileges(JsonHttp admin) {
        String model = "{\"items\":{\"index\":\"sq_items\"},\"users\":{\"index\":\"sq_users\"},\"factors\":{\"dims\":8}}";
        JsonHttp reader = admin.as("model_reader", "reader-pass");
        assertEquals(200, reader.get("/_recommend/model/secured").status());
        assertEquals(403, reader.put("/_recommend/model/other", model).status());
        assertEquals(403, admin.as("items_only", "items-pass").get("/_recommend/model/secured").status());
        JsonHttp manager = admin.as("model_admin", "admin-pass");
        assertEquals(200, manager.put("/_recommend/model/other", model).status());
        JsonHttp.Response refreshed = manager.post("/_recommend/model/other/_refresh", null);
        assertEquals(200, refreshed.status(), refreshed.body());
        assertEquals(QueryCatalog.ITEMS - QueryCatalog.ITEMS / 50, refreshed.at("/items").asInt(), refreshed.body());
    }
}
