package org.recsys.recommend.ingest.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.ok;

/** {@code GET _recommend/_stats}: the node's figures move with what it does (a recommendation, a failed one, an event). */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecommendStatsIT {

    private final FoldInCatalogue catalogue = new FoldInCatalogue(5, 80, 4, 4, 0.25, 3.0);

    @BeforeAll
    void load(JsonHttp http) {
        catalogue.load(http, "st_items");
        IngestFixture.usersIndex(http, "st_users", 4);
        IngestFixture.putModel(http, "st", IngestFixture.modelBody("st_items", "st_users", 4, 0.25, 3.0, 40));
        IngestFixture.refresh(http, "st");
        IngestFixture.pipeline(http, "st_events", "[{\"recommend_update\":{\"model\":\"st\"}}]");
    }

    @Test
    void theFiguresMoveWithTheWork(JsonHttp http) {
        JsonNode before = node(http);
        ok(http.post("/st_items/_recommend", "{\"model\":\"st\",\"items\":[\"i3\"],\"size\":3}"));
        assertEquals(400, http.post("/st_items/_recommend", "{\"model\":\"st\",\"user\":\"nobody\"}").status());
        ok(http.post("/st_events/_doc?pipeline=st_events", IngestFixture.event("u1", "i7", null, null, null)));
        JsonNode after = node(http);
        assertEquals(before.at("/recommend/requests").asLong() + 2, after.at("/recommend/requests").asLong(), after.toString());
        assertEquals(before.at("/recommend/failures").asLong() + 1, after.at("/recommend/failures").asLong(), after.toString());
        assertEquals(before.at("/ingest/events_folded").asLong() + 1, after.at("/ingest/events_folded").asLong(), after.toString());
        long lookups = after.at("/cache/item_factors/hits").asLong() + after.at("/cache/item_factors/misses").asLong();
        long lookupsBefore = before.at("/cache/item_factors/hits").asLong() + before.at("/cache/item_factors/misses").asLong();
        assertTrue(lookups > lookupsBefore || after.at("/cache/item_factors/entries").asLong() > 0,
            "the fold-in read item factors through the cache: " + after);
        assertTrue(after.at("/cache/item_factors/size_in_bytes").asLong() >= 0);
        assertTrue(after.at("/recommend/time_in_millis").isNumber());
    }

    @Test
    void nodesCanBeChosenAndTheResponseFiltered(JsonHttp http) {
        JsonNode all = ok(http.get("/_recommend/_stats")).json();
        assertEquals(1, all.at("/_nodes/total").asInt(), all.toString());
        assertEquals(1, all.at("/_nodes/successful").asInt());
        JsonNode local = ok(http.get("/_recommend/_stats/nodes/_local?filter_path=nodes.*.recommend")).json();
        JsonNode only = local.path("nodes").elements().next();
        assertTrue(only.has("recommend") && only.has("ingest") == false, "filter_path applies: " + local);
        JsonNode none = ok(http.get("/_recommend/_stats/nodes/no_such_node")).json();
        assertEquals(0, none.at("/_nodes/total").asInt(), none.toString());
    }

    private static JsonNode node(JsonHttp http) {
        JsonNode nodes = ok(http.get("/_recommend/_stats")).json().path("nodes");
        assertEquals(1, nodes.size(), nodes.toString());
        return nodes.elements().next();
    }
}
