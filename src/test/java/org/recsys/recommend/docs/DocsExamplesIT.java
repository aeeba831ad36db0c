package org.recsys.recommend.docs;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeConfig;
import org.recsys.recommend.testing.RealNodeExtension;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's tour as a user pastes it into Kibana Dev Tools: every request of its {@code console} block, in order, on a
 * node of its own that holds nothing else (a blank cluster), with no set-up by the test. {@code <task>} in a path is the
 * task id the previous request answered, as a user would paste it.
 */
@ExtendWith(RealNodeExtension.class)
@RealNodeConfig(node = "blank-for-the-docs")
class DocsExamplesIT {

    @Test
    void readmeTourRunsInOrderOnABlankNode(JsonHttp http) throws IOException {
        List<Exchange> exchanges = run(http, ConsoleRequests.read(Path.of(System.getProperty("basedir", "."), "README.md")));
        JsonNode trained = find(exchanges, "GET _tasks/").json();
        assertTrue(trained.at("/completed").asBoolean(), trained.toString());
        assertFalse(trained.has("error"), trained.toString());
        JsonNode profile = find(exchanges, "GET viewers/_doc/u5").json();
        assertEquals("m2", profile.at("/_source/history/0/item").asText(), profile.toString());
        JsonNode recommended = find(exchanges, "GET films/_recommend?").json();
        assertEquals(3, recommended.at("/recommendations").size(), recommended.toString());
        for (JsonNode r : recommended.at("/recommendations")) {
            assertFalse(r.at("/_id").asText().equals("m2"), "u5 has seen m2: " + recommended);
        }
        // the items index was made by the model PUT: the vectors are real vectors, the neighbors one field, not one per id
        JsonNode mapping = http.get("/films/_mapping").json().at("/films/mappings/properties");
        assertEquals("dense_vector", mapping.at("/factors/type").asText(), mapping.toString());
        assertEquals("sparse_vector", mapping.at("/neighbors/type").asText(), mapping.toString());
    }

    @Test
    void sparkHandOverRunsInOrderOnABlankNode(JsonHttp http) throws IOException {
        List<Exchange> exchanges = run(http, ConsoleRequests.read(Path.of(System.getProperty("basedir", "."), "docs", "spark.md")));
        JsonNode imported = find(exchanges, "POST _recommend/model/shop/_import").json();
        assertEquals(4, imported.at("/items").asInt(), imported.toString());
        assertEquals(2, imported.at("/users").asInt(), imported.toString());
        JsonNode recommended = find(exchanges, "GET shop/_recommend?").json();
        // s1 has seen p1 (the tent): the stove is next to it; the books are not
        assertEquals("p2", recommended.at("/recommendations/0/_id").asText(), recommended.toString());
    }

    /** A request of the page ({@code METHOD path} as written) and what the node answered. */
    private record Exchange(String request, JsonHttp.Response response) {}

    private static List<Exchange> run(JsonHttp http, ConsoleRequests page) {
        List<Exchange> exchanges = new ArrayList<>();
        String lastTask = null;
        for (ConsoleRequests.Request request : page.requests()) {
            String path = "/" + request.path().replace("<task>", String.valueOf(lastTask));
            JsonHttp.Response response = http.send(request.method(), path, request.body(),
                request.ndjson() ? "application/x-ndjson" : "application/json");
            String where = page.page() + ":" + request.line() + " " + request.method() + " " + request.path();
            if (response.status() >= 300) {
                fail(where + " answered " + response.status() + ": " + response.body());
            }
            if (response.json() != null && response.json().path("errors").asBoolean()) {
                fail(where + " had item errors: " + response.body());
            }
            if (response.json() != null && response.json().has("task")) {
                lastTask = response.json().get("task").asText();
            }
            exchanges.add(new Exchange(request.method() + " " + request.path(), response));
        }
        return exchanges;
    }

    /** The response to the first request of the page whose {@code METHOD path} starts with {@code prefix}. */
    private static JsonHttp.Response find(List<Exchange> exchanges, String prefix) {
        for (Exchange exchange : exchanges) {
            if (exchange.request().startsWith(prefix)) {
                return exchange.response();
            }
        }
        throw new AssertionError("no request [" + prefix + "] in the page: " + exchanges.stream().map(Exchange::request).toList());
    }
}
