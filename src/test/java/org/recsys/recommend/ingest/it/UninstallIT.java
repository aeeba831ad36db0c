package org.recsys.recommend.ingest.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealNode;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upgrading and removing the plugin on a node that holds a model, as the README's notes say, on a node of its own: an
 * upgrade (removed and installed again while the node is stopped) keeps the model; a node started without the plugin
 * runs, but the events pipeline fails and the models are dropped from the cluster state, so that after a reinstall they
 * must be registered again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UninstallIT {

    private RealNode node;

    @BeforeAll
    void start() throws IOException {
        node = RealNode.start(NodeSpec.insecure());
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        assertTrue(response.status() < 300, response.status() + " " + response.body());
        return response;
    }

    @Test
    void upgradingKeepsTheModelAndStartingWithoutThePluginDropsIt() throws IOException {
        JsonHttp http = node.http();
        ok(http.put("/_recommend/model/u", "{\"items\":{\"index\":\"u_items\"},\"users\":{\"index\":\"u_users\"},"
            + "\"factors\":{\"dims\":4}}"));
        ok(http.put("/_ingest/pipeline/u", "{\"processors\":[{\"recommend_update\":{\"model\":\"u\"}}]}"));

        // an upgrade: stopped, removed and installed again before the node starts: the model is still registered
        node.stop();
        node.removePlugin();
        node.installPluginAgain();
        node.restart();
        ok(node.http().get("/_recommend/model/u"));

        // started without the plugin: the node runs, the endpoints and the processor are gone, plain indexing works
        node.stop();
        node.removePlugin();
        node.restart();
        JsonHttp without = node.http();
        JsonHttp.Response event = without.post("/u_events/_doc?pipeline=u", "{\"user\":\"a\",\"item\":\"b\"}");
        assertTrue(event.status() >= 400 && event.body().contains("No processor type exists with name [recommend_update]"),
            "events sent through the pipeline fail: " + event.body());
        ok(without.post("/u_events/_doc", "{\"user\":\"a\",\"item\":\"b\"}"));
        assertEquals(400, without.get("/_recommend/model/u").status(), "the endpoints are gone with the plugin");

        // installed again: the model did not survive a start without the plugin; registering it again serves as before
        node.stop();
        node.installPluginAgain();
        node.restart();
        assertEquals(404, node.http().get("/_recommend/model/u").status(), "the model was dropped from the cluster state");
        ok(node.http().put("/_recommend/model/u", "{\"items\":{\"index\":\"u_items\"},\"users\":{\"index\":\"u_users\"},"
            + "\"factors\":{\"dims\":4}}"));
        JsonHttp.Response back = node.http().post("/u_events/_doc?pipeline=u", "{\"user\":\"a\",\"item\":\"b\"}");
        assertTrue(back.body().contains("[item] [b] has no [factors] in index [u_items]"), "the processor runs again: " + back.body());
    }
}
