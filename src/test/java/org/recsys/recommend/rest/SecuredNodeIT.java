package org.recsys.recommend.rest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeConfig;
import org.recsys.recommend.testing.RealNodeExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The harness's second mode: security on, with file-realm users and roles this test declares. */
@ExtendWith(RealNodeExtension.class)
@RealNodeConfig(security = true, roles = "/security/roles.yml", users = { "reader:reader-password:items_reader" })
class SecuredNodeIT {

    @Test
    void infoAnswersWithCredentialsAndRefusesWithout(JsonHttp admin) {
        assertEquals(200, admin.get("/_recommend").status());
        // authorized like any action: cluster:monitor/recommend/info, which an index reader does not hold
        JsonHttp.Response reader = admin.as("reader", "reader-password").get("/_recommend");
        assertEquals(403, reader.status(), reader.body());
        JsonHttp.Response anonymous = admin.as(null, null).get("/_recommend");
        assertEquals(401, anonymous.status(), anonymous.body());
        assertEquals("security_exception", anonymous.at("/error/type").asText());
        assertEquals(401, admin.as("reader", "wrong-password").get("/_recommend").status());
    }

    @Test
    void declaredRolesApply(JsonHttp admin) {
        assertEquals(200, admin.put("/items", "{}").status());
        assertEquals(200, admin.put("/users", "{}").status());
        JsonHttp reader = admin.as("reader", "reader-password");
        assertEquals(200, reader.get("/items/_search").status());
        JsonHttp.Response denied = reader.get("/users/_search");
        assertEquals(403, denied.status(), denied.body());
    }
}
