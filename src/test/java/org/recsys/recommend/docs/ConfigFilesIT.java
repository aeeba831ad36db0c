package org.recsys.recommend.docs;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeConfig;
import org.recsys.recommend.testing.RealNodeExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files of {@code config/}, which {@code elasticsearch-plugin install} copies to {@code $ES_PATH_CONF/recommend/}, each
 * applied as it is on a node of its own: the index templates give indices that the model accepts (its PUT checks every
 * field it writes), the events pipeline folds an event in, the items pipeline gives a new item factors from its content.
 * The plugin zip carries them, with LICENSE and NOTICE.
 */
@ExtendWith(RealNodeExtension.class)
@RealNodeConfig(node = "config-files")
class ConfigFilesIT {

    private static final List<String> FILES = List.of("items-template.json", "users-template.json", "events-template.json",
        "events-pipeline.json", "items-pipeline.json", "roles.yml");

    private static String config(String file) throws IOException {
        return Files.readString(Path.of(System.getProperty("basedir", "."), "config", file));
    }

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        assertTrue(response.status() < 300, response.status() + " " + response.body());
        return response;
    }

    @Test
    void thePluginZipCarriesTheConfigFilesAndTheLicence() throws IOException {
        try (ZipFile zip = new ZipFile(System.getProperty("recommend.test.plugin"))) {
            for (String file : FILES) {
                assertNotNull(zip.getEntry("config/" + file), file);
            }
            assertNotNull(zip.getEntry("LICENSE.txt"));
            assertNotNull(zip.getEntry("NOTICE.txt"));
        }
    }

    @Test
    void templatesAndPipelinesWorkAsShipped(JsonHttp http) throws IOException {
        ok(http.put("/_index_template/recommend-items", config("items-template.json")));
        ok(http.put("/_index_template/recommend-users", config("users-template.json")));
        ok(http.put("/_index_template/recommend-events", config("events-template.json")));

        // the indices come from the templates; the model's PUT checks each field it writes against them (a 400 otherwise)
        StringBuilder items = new StringBuilder();
        String[] words = { "alpine tent", "camping stove", "trail shoes", "sleeping bag", "poetry book", "crime novel" };
        for (int i = 0; i < 60; i++) {
            items.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"title\":\"").append(words[i % words.length])
                .append(' ').append(i).append("\"}\n");
        }
        ok(http.postNdjson("/items/_bulk?refresh=true", items.toString()));
        ok(http.put("/_recommend/model/movies", "{\"items\":{\"index\":\"items\",\"content\":[\"title\"]},\"users\":{\"index\":\"users\"},"
            + "\"factors\":{\"dims\":64}}"));
        JsonNode itemMapping = ok(http.get("/items/_mapping")).at("/items/mappings/properties");
        assertEquals("int8_hnsw", itemMapping.at("/factors_alt/index_options/type").asText(), itemMapping.toString());
        assertEquals("object", ok(http.get("/users/_mapping")).at("/users/mappings/properties/history/type").asText());

        StringBuilder events = new StringBuilder();
        for (int u = 0; u < 40; u++) {
            for (int n = 0; n < 6; n++) {
                events.append("{\"index\":{}}\n{\"user\":\"u").append(u).append("\",\"item\":\"i").append((u * 7 + n * 6) % 60)
                    .append("\",\"@timestamp\":\"2026-12-01T00:00:00Z\"}\n");
            }
        }
        ok(http.postNdjson("/events/_bulk?refresh=true", events.toString()));
        assertEquals("keyword", ok(http.get("/events/_mapping")).at("/events/mappings/properties/user/type").asText());
        ok(http.post("/_recommend/model/movies/_train", "{\"events\":{\"index\":\"events\"},\"als\":{\"iterations\":3}}"));

        ok(http.put("/_ingest/pipeline/events", config("events-pipeline.json")));
        ok(http.post("/events/_doc?pipeline=events&refresh=true", "{\"user\":\"newcomer\",\"item\":\"i3\",\"action\":\"purchase\"}"));
        JsonNode profile = ok(http.get("/users/_doc/newcomer")).at("/_source");
        assertEquals("i3", profile.at("/history/0/item").asText(), profile.toString());
        assertEquals(5.0, profile.at("/history/0/weight").asDouble(), 1e-9, "the purchase weight of the shipped pipeline");

        ok(http.put("/_ingest/pipeline/items", config("items-pipeline.json")));
        ok(http.put("/items/_doc/cold?pipeline=items&refresh=true", "{\"title\":\"alpine tent camping\"}"));
        JsonNode cold = ok(http.get("/items/_doc/cold?_source_exclude_vectors=false")).at("/_source");
        assertTrue(cold.at("/factors").isArray() || cold.at("/factors_alt").isArray(), "factors from its content: " + cold);
    }
}
