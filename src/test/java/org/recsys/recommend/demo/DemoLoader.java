package org.recsys.recommend.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.recsys.recommend.testing.JsonHttp;

import java.util.List;
import java.util.Map;

/** Creates the demo's indices, model and pipeline, and bulk-loads films and views. */
final class DemoLoader {

    static final int DIMS = 16;

    private DemoLoader() {}

    static void createIndices(JsonHttp http) {
        Map<String, Object> vector = Map.of("type", "dense_vector", "dims", DIMS, "element_type", "float", "similarity",
                "max_inner_product");
        Map<String, Object> films = Map.of(
            "mappings",
            Map.of(
                "properties",
                Map.of(
                    "title", Map.of("type", "text"),
                    "genre", Map.of("type", "keyword"),
                    "factors", vector,
                    "neighbors", Map.of("type", "sparse_vector"),
                    "popularity", Map.of("type", "float")
                )
            )
        );
        Map<String, Object> viewers = Map.of(
            "mappings",
            Map.of("properties", Map.of("factors", vector, "history", Map.of("type", "object", "enabled", false)))
        );
        Map<String, Object> events = Map.of(
            "mappings",
            Map.of("properties", Map.of("user", Map.of("type", "keyword"), "item", Map.of("type", "keyword"), "weight", Map.of("type",
                    "float")))
        );
        require(http.put("/films", films), "create index [films]");
        require(http.put("/viewers", viewers), "create index [viewers]");
        require(http.put("/film-events", events), "create index [film-events]");
        require(http.put("/film-events-test", events), "create index [film-events-test]");
    }

    static void loadFilms(JsonHttp http, List<DemoCatalog.Film> films) {
        StringBuilder bulk = new StringBuilder();
        for (DemoCatalog.Film film : films) {
            ObjectNode doc = JsonHttp.MAPPER.createObjectNode().put("title", film.title()).put("genre", film.genre());
            bulk.append("{\"index\":{\"_index\":\"films\",\"_id\":\"").append(film.id()).append("\"}}\n").append(doc).append('\n');
        }
        bulk(http, bulk);
    }

    static void loadViews(JsonHttp http, String index, List<DemoCatalog.View> views) {
        StringBuilder bulk = new StringBuilder();
        for (DemoCatalog.View view : views) {
            ObjectNode doc = JsonHttp.MAPPER.createObjectNode().put("user", view.user()).put("item", view.film()).put("weight", 1.0);
            bulk.append("{\"index\":{\"_index\":\"").append(index).append("\"}}\n").append(doc).append('\n');
            if (bulk.length() > 4_000_000) {
                bulk(http, bulk);
                bulk.setLength(0);
            }
        }
        bulk(http, bulk);
    }

    /** The model over the demo's indices, and an events pipeline that folds each new view into the viewer's profile. */
    static void registerModel(JsonHttp http, double lambda) {
        String model = """
            { "items": { "index": "films", "content": ["title"] },
              "users": { "index": "viewers", "max_history": 2000 },
              "factors": { "dims": %d, "lambda": %s, "alpha": 10 },
              "signals": { "collaborative": { "weight": 1 }, "neighbors": { "weight": 0.05, "normalization": "linear" } } }"""
            .formatted(DIMS, lambda);
        require(http.put("/_recommend/model/films", model), "register model [films]");
        String pipeline = """
            { "description": "keeps viewer profiles current",
              "processors": [ { "recommend_update": { "model": "films", "action_weights": { "watch": 1, "rate": 3 } } } ] }""";
        require(http.put("/_ingest/pipeline/film-events", pipeline), "create pipeline [film-events]");
    }

    private static void bulk(JsonHttp http, StringBuilder ndjson) {
        if (ndjson.isEmpty()) {
            return;
        }
        JsonHttp.Response response = http.postNdjson("/_bulk?refresh=true", ndjson.toString());
        require(response, "bulk load");
        if (response.at("/errors").asBoolean()) {
            String body = response.body();
            throw new IllegalStateException("bulk load had item errors: " + body.substring(0, Math.min(2000, body.length())));
        }
    }

    static void require(JsonHttp.Response response, String what) {
        if (response.status() / 100 != 2) {
            throw new IllegalStateException(what + " failed: HTTP " + response.status() + " " + response.body());
        }
    }
}
