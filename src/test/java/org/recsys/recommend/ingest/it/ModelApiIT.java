package org.recsys.recommend.ingest.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.ok;

/** The model registry's REST API: round trip, listing, derived state kept or dropped by a PUT, and 400/404 on bad input. */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelApiIT {

    private static final String VALID = IngestFixture.modelBody("ma_items", "ma_users", 4, 0.25, 3.0, 40);

    private final FoldInCatalogue catalogue = new FoldInCatalogue(3, 50, 4, 5, 0.25, 3.0);

    @BeforeAll
    void load(JsonHttp http) {
        catalogue.load(http, "ma_items");
        IngestFixture.usersIndex(http, "ma_users", 4);
    }

    @Test
    void catListsTheModelsAsATable(JsonHttp http) {
        IngestFixture.putModel(http, "ma_cat", VALID);
        JsonHttp.Response text = ok(http.get("/_cat/recommend/models?v"));
        String[] lines = text.body().split("\n");
        assertTrue(lines[0].matches("id\\s+items.index\\s+users.index\\s+dims.*"), "a header line: " + lines[0]);
        assertTrue(text.body().contains("ma_cat"), text.body());
        JsonNode before = ok(http.get("/_cat/recommend/models/ma_cat?format=json")).json();
        assertEquals(1, before.size(), before.toString());
        assertEquals("ma_items", before.at("/0/items.index").asText());
        assertEquals("empty", before.at("/0/state").asText(), "no state before _refresh");
        IngestFixture.refresh(http, "ma_cat");
        JsonNode after = ok(http.get("/_cat/recommend/models/ma_cat?format=json&h=id,state,state.items,state.slot,regularization")).json();
        assertEquals("ready", after.at("/0/state").asText(), after.toString());
        assertEquals("50", after.at("/0/state.items").asText());
        assertEquals("0", after.at("/0/state.slot").asText());
        assertEquals("constant", after.at("/0/regularization").asText());
        assertEquals(5, after.get(0).size(), "only the columns asked for: " + after);
        assertTrue(ok(http.get("/_cat/recommend/models?help")).body().contains("state.slot"));
        JsonHttp.Response unknown = http.get("/_cat/recommend/models/ma_nope");
        assertEquals(404, unknown.status(), unknown.body());
        assertTrue(unknown.body().contains("[model] unknown recommend model [ma_nope]"), unknown.body());
    }

    @Test
    void putGetListRefreshDelete(JsonHttp http) {
        IngestFixture.putModel(http, "ma_one", VALID);
        JsonNode model = ok(http.get("/_recommend/model/ma_one")).json().path("ma_one");
        assertEquals("ma_items", model.at("/items/index").asText());
        assertEquals("factors", model.at("/items/factors").asText(), "default");
        assertEquals(40, model.at("/users/max_history").asInt());
        assertEquals(4, model.at("/factors/dims").asInt());
        assertEquals(0.25, model.at("/factors/lambda").asDouble());
        assertEquals(3.0, model.at("/factors/alpha").asDouble());
        assertTrue(model.path("state").isMissingNode(), "no Gramian before _refresh: " + model);

        JsonHttp.Response refreshed = IngestFixture.refresh(http, "ma_one");
        assertEquals(50, refreshed.at("/items").asLong(), refreshed.body());
        JsonNode plain = ok(http.get("/_recommend/model/ma_one")).json().path("ma_one");
        assertEquals(50, plain.at("/state/items").asLong(), plain.toString());
        assertTrue(plain.at("/state/gramian").isMissingNode(), "the Gramian only with include_gramian=true");
        JsonNode full = ok(http.get("/_recommend/model/ma_one?include_gramian=true")).json().path("ma_one");
        assertEquals(16, full.at("/state/gramian").size());

        IngestFixture.putModel(http, "ma_two", VALID);
        JsonNode all = ok(http.get("/_recommend/model")).json();
        assertTrue(all.has("ma_one") && all.has("ma_two"), all.toString());

        // same items, factors field and dims: the Gramian carries over; dims the items' vectors do not have: refused before
        // anything changes (the vectors would need reindexing), so the model and its Gramian stay
        IngestFixture.putModel(http, "ma_one", VALID.replace("\"max_history\":40", "\"max_history\":41"));
        assertEquals(16, ok(http.get("/_recommend/model/ma_one?include_gramian=true")).at("/ma_one/state/gramian").size());
        JsonHttp.Response otherDims = http.put("/_recommend/model/ma_one", VALID.replace("\"dims\":4", "\"dims\":5"));
        assertEquals(400, otherDims.status(), otherDims.body());
        assertTrue(otherDims.at("/error/reason").asText().contains("it has [dims] 4, the model's [factors.dims] is 5"), otherDims.body());
        assertEquals(16, ok(http.get("/_recommend/model/ma_one?include_gramian=true")).at("/ma_one/state/gramian").size());

        ok(http.delete("/_recommend/model/ma_one"));
        assertEquals(404, http.get("/_recommend/model/ma_one").status());
        assertFalse(ok(http.get("/_recommend/model")).json().has("ma_one"));
        assertEquals(200, http.get("/ma_items/_count").status(), "the indices are untouched");
    }

    @Test
    void badModelBodiesAre400sNamingTheField(JsonHttp http) {
        assertBad(http, VALID.replace("{\"items\"", "{\"bogus\":1,\"items\""), "[bogus]");
        assertBad(http, VALID.replace("\"index\":\"ma_items\"", "\"index\":\"ma_items\",\"colour\":\"red\""), "[colour]");
        assertBad(http, VALID.replace("\"dims\":4", "\"dims\":0"), "[factors.dims]");
        assertBad(http, VALID.replace("\"dims\":4", "\"dims\":1025"), "[factors.dims]");
        assertBad(http, VALID.replace("\"lambda\":0.25", "\"lambda\":-0.1"), "[factors.lambda]");
        assertBad(http, VALID.replace("\"alpha\":3.0", "\"alpha\":-1"), "[factors.alpha]");
        assertBad(http, VALID.replace("\"max_history\":40", "\"max_history\":0"), "[users.max_history]");
        assertBad(http, VALID.replace("\"max_history\":40", "\"max_history\":10001"), "[users.max_history]");
        assertBad(http, VALID.replace("\"max_history\":40", "\"max_history\":40,\"history\":\"factors\""),
            "[users.history] and [users.factors] must name different fields, both name [factors]");
        assertBad(http, VALID.replace("\"index\":\"ma_items\"", "\"index\":\"ma_items\",\"neighbors\":\"vec\",\"factors\":\"vec\""),
            "[items.neighbors] and [items.factors] must name different fields, both name [vec]");
        assertBad(http, "{\"users\":{\"index\":\"ma_users\"},\"factors\":{\"dims\":4}}", "[items]");
        assertBad(http, "{\"items\":{\"index\":\"ma_items\"},\"users\":{\"index\":\"ma_users\"}}", "[factors]");
        assertEquals(404, http.get("/_recommend/model/ma_bad").status(), "nothing was stored by a rejected PUT");
    }

    @Test
    void unknownModelsAre404sAndA400InAQuery(JsonHttp http) {
        for (JsonHttp.Response missing : new JsonHttp.Response[] {
            http.get("/_recommend/model/ma_missing"),
            http.delete("/_recommend/model/ma_missing"),
            http.post("/_recommend/model/ma_missing/_refresh", null) }) {
            assertEquals(404, missing.status(), missing.body());
            assertEquals("resource_not_found_exception", missing.at("/error/type").asText(), missing.body());
            assertTrue(missing.at("/error/reason").asText().contains("[ma_missing]"), missing.body());
        }
        JsonHttp.Response query = http.post("/ma_items/_search", "{\"query\":{\"recommend\":{\"model\":\"ma_missing\",\"user\":\"u1\"}}}");
        assertEquals(400, query.status(), query.body());
        assertTrue(query.body().contains("[model]"), query.body());
    }

    private static void assertBad(JsonHttp http, String body, String field) {
        JsonHttp.Response response = http.put("/_recommend/model/ma_bad", body);
        assertEquals(400, response.status(), body + " -> " + response.body());
        assertTrue(response.body().contains(field), "the error names " + field + ": " + response.body());
    }
}
