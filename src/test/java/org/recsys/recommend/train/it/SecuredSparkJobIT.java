package org.recsys.recommend.train.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeConfig;
import org.recsys.recommend.testing.RealNodeExtension;
import org.recsys.recommend.testing.SparkJobProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark job against a secured node, with basic authentication: a user with the privileges docs/spark.md lists trains
 * and imports; a user who may not read the events is refused by Elasticsearch (the connector's read fails, the job says
 * so and exits 1) and the served model stays as it was.
 */
@ExtendWith(RealNodeExtension.class)
@RealNodeConfig(security = true, rootInfo = true, node = "secured-spark", roles = "/security/spark-roles.yml",
    users = { "trainer:trainer-password:spark_trainer", "blind:blind-password:spark_blind" })
class SecuredSparkJobIT {

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        assertTrue(response.status() < 300, response.status() + " " + response.body());
        return response;
    }

    @Test
    void aTrainerWithTheDocumentedPrivilegesImportsAndOneWhoCannotReadTheEventsIsRefused(JsonHttp admin) throws Exception {
        ok(admin.put("/_recommend/model/ss", "{\"items\":{\"index\":\"ss_items\"},\"users\":{\"index\":\"ss_users\"},"
            + "\"factors\":{\"dims\":4,\"lambda\":0.05,\"alpha\":5,\"regularization\":\"weighted\"}}"));
        StringBuilder items = new StringBuilder();
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            items.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"title\":\"item ").append(i).append("\"}\n");
        }
        for (int u = 0; u < 30; u++) {
            for (int n = 0; n < 5; n++) {
                events.append("{\"index\":{}}\n{\"user\":\"u").append(u).append("\",\"item\":\"i").append((u + n * 3) % 20)
                    .append("\",\"@timestamp\":\"2026-11-01T00:00:00Z\"}\n");
            }
        }
        ok(admin.postNdjson("/ss_items/_bulk?refresh=true", items.toString()));
        ok(admin.put("/ss_events", "{\"mappings\":{\"properties\":{\"user\":{\"type\":\"keyword\"},\"item\":{\"type\":\"keyword\"},"
            + "\"@timestamp\":{\"type\":\"date\"}}}}"));
        ok(admin.postNdjson("/ss_events/_bulk?refresh=true", events.toString()));

        SparkJobProcess.Outcome blind = SparkJobProcess.run("--es", admin.baseUrl(), "--user", "blind", "--password", "blind-password",
            "--model", "ss", "--run-id", "blind-1", "--events-index", "ss_events", "--iterations", "3");
        assertEquals(1, blind.exitCode(), blind.stdout() + blind.stderr());
        assertTrue(blind.stderr().contains("403") || blind.stderr().contains("unauthorized"), blind.stderr());
        JsonNode untouched = ok(admin.get("/_recommend/model/ss")).at("/ss");
        assertTrue(untouched.at("/state").isMissingNode(), "nothing imported: " + untouched);

        SparkJobProcess.Outcome trained = SparkJobProcess.run("--es", admin.baseUrl(), "--user", "trainer", "--password",
            "trainer-password", "--model", "ss", "--run-id", "secured-1", "--events-index", "ss_events", "--iterations", "3");
        assertEquals(0, trained.exitCode(), trained.stdout() + trained.stderr());
        JsonNode model = ok(admin.get("/_recommend/model/ss")).at("/ss");
        assertNotEquals(0, model.at("/state/items").asInt(), model.toString());
        assertEquals(1, model.at("/state/slot").asInt(), model.toString());
    }
}
