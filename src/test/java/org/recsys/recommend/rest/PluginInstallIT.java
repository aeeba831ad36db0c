package org.recsys.recommend.rest;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.action.PluginBuild;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built zip installs into a stock node with elasticsearch-plugin, and the node answers for it. */
@ExtendWith(RealNodeExtension.class)
class PluginInstallIT {

    @Test
    void catPluginsListsRecommend(JsonHttp http) {
        JsonHttp.Response plugins = http.get("/_cat/plugins?format=json");
        assertEquals(200, plugins.status(), plugins.body());
        boolean listed = false;
        for (JsonNode plugin : plugins.json()) {
            if (plugin.path("component").asText().equals("recommend")) {
                listed = true;
                assertEquals(PluginBuild.CURRENT.version(), plugin.path("version").asText());
            }
        }
        assertTrue(listed, plugins.body());
    }

    @Test
    void infoEndpointAnswersWithNameAndVersions(JsonHttp http) {
        JsonHttp.Response info = http.get("/_recommend");
        assertEquals(200, info.status(), info.body());
        assertEquals("recommend", info.at("/name").asText());
        assertEquals(PluginBuild.CURRENT.version(), info.at("/version").asText());
        JsonHttp.Response root = http.get("/_nodes/_local?filter_path=nodes.*.version");
        String nodeVersion = root.json().at("/nodes").elements().next().path("version").asText();
        assertEquals(nodeVersion, info.at("/elasticsearch_version").asText());
    }

    @Test
    void infoEndpointHonoursPrettyAndFilterPath(JsonHttp http) {
        JsonHttp.Response pretty = http.get("/_recommend?pretty");
        assertTrue(pretty.body().contains("\n  \"name\""), pretty.body());
        JsonHttp.Response filtered = http.get("/_recommend?filter_path=version");
        assertEquals(1, filtered.json().size(), filtered.body());
        assertEquals(PluginBuild.CURRENT.version(), filtered.at("/version").asText());
    }

    @Test
    void unknownParameterIsA400NamingIt(JsonHttp http) {
        JsonHttp.Response bad = http.get("/_recommend?sise=3");
        assertEquals(400, bad.status(), bad.body());
        assertEquals("illegal_argument_exception", bad.at("/error/type").asText());
        assertTrue(bad.at("/error/reason").asText().contains("[sise]"), bad.body());
    }
}
