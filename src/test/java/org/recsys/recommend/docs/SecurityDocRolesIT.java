package org.recsys.recommend.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeConfig;
import org.recsys.recommend.testing.RealNodeExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example roles of docs/security.md, loaded as they are written there, on the path they are meant for. */
@ExtendWith(RealNodeExtension.class)
@RealNodeConfig(
    security = true,
    roles = "docs/security.md",
    users = {
        "reader:reader-password:recommend_reader",
        "writer:writer-password:events_writer",
        "owner:owner-password:recommend_admin" }
)
class SecurityDocRolesIT {

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        assertTrue(response.status() < 300, response.status() + " " + response.body());
        return response;
    }

    private static void forbidden(JsonHttp.Response response) {
        assertEquals(403, response.status(), response.body());
    }

    @Test
    void eachExampleRoleDoesItsPartAndNoMore(JsonHttp admin) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            items.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"title\":\"item ").append(i).append("\"}\n");
        }
        ok(admin.postNdjson("/items/_bulk?refresh=true", items.toString()));
        StringBuilder events = new StringBuilder();
        StringBuilder test = new StringBuilder();
        for (int u = 0; u < 40; u++) {
            for (int n = 0; n < 6; n++) {
                events.append("{\"index\":{}}\n{\"user\":\"u").append(u).append("\",\"item\":\"i").append((u + n * 5) % 30).append("\"}\n");
            }
            test.append("{\"index\":{}}\n{\"user\":\"u").append(u).append("\",\"item\":\"i").append((u + 30 * 5) % 30 + 1).append("\"}\n");
        }
        ok(admin.postNdjson("/events/_bulk?refresh=true", events.toString()));
        ok(admin.postNdjson("/events_test/_bulk?refresh=true", test.toString()));
        ok(admin.put("/_ingest/pipeline/recommend", "{\"processors\":[{\"recommend_update\":{\"model\":\"shop\"}}]}"));

        JsonHttp owner = admin.as("owner", "owner-password");
        JsonHttp writer = admin.as("writer", "writer-password");
        JsonHttp reader = admin.as("reader", "reader-password");
        String model = "{\"items\":{\"index\":\"items\"},\"users\":{\"index\":\"users\"},\"factors\":{\"dims\":8}}";
        forbidden(reader.put("/_recommend/model/shop", model));
        forbidden(writer.put("/_recommend/model/shop", model));
        ok(owner.put("/_recommend/model/shop", model));
        String train = "{\"events\":{\"index\":\"events\"}}";
        forbidden(writer.post("/_recommend/model/shop/_train", train));
        ok(owner.post("/_recommend/model/shop/_train", train));
        ok(owner.post("/_recommend/model/shop/_evaluate", "{\"test\":{\"index\":\"events_test\"},\"k\":5,\"configs\":{\"blend\":{}}}"));

        forbidden(reader.post("/events/_doc?pipeline=recommend", "{\"user\":\"u1\",\"item\":\"i7\"}"));
        ok(writer.post("/events/_doc?pipeline=recommend", "{\"user\":\"u1\",\"item\":\"i7\"}"));

        JsonHttp.Response recommended = ok(reader.get("/items/_recommend?model=shop&user=u1&size=5"));
        assertEquals(5, recommended.at("/recommendations").size(), recommended.body());
        forbidden(writer.get("/events/_search")); // it writes events, never reads them
        forbidden(reader.post("/_recommend/model/shop/_evaluate", "{\"test\":{\"index\":\"events_test\"},\"configs\":{\"b\":{}}}"));
    }
}
