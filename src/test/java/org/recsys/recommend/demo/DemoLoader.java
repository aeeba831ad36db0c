package org.recsys.recommend.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.recsys.recommend.testing.JsonHttp;

import java.util.Map;

/** Creates the demo's indices with the plugin's expected mappings and bulk-loads the catalogue. */
final class DemoLoader {

    private DemoLoader() {}

    static void load(JsonHttp http, DemoCatalog catalog) {
        Map<String, Object> vector = Map.of(
            "type",
            "dense_vector",
            "dims",
            DemoCatalog.DIMS,
            "element_type",
            "float",
            "similarity",
            "max_inner_product"
        );
        Map<String, Object> films = Map.of(
            "mappings",
            Map.of(
                "properties",
                Map.of(
                    "title",
                    Map.of("type", "text"),
                    "genre",
                    Map.of("type", "keyword"),
                    "factors",
                    vector,
                    "neighbors",
                    Map.of("type", "sparse_vector"),
                    "popularity",
                    Map.of("type", "float")
                )
            )
        );
        Map<String, Object> viewers = Map.of(
            "mappings",
            Map.of("properties", Map.of("factors", vector, "history", Map.of("type", "object", "enabled", false)))
        );
        require(http.put("/films", films), "create index [films]");
        require(http.put("/viewers", viewers), "create index [viewers]");

        StringBuilder bulk = new StringBuilder();
        for (DemoCatalog.Item item : catalog.items) {
            ObjectNode doc = JsonHttp.MAPPER.createObjectNode();
            doc.put("title", item.title()).put("genre", item.genre()).put("popularity", item.popularity());
            var factors = doc.putArray("factors");
            for (float f : item.factors()) {
                factors.add(f);
            }
            ObjectNode neighbors = doc.putObject("neighbors");
            for (int n = 0; n < item.neighborIds().size(); n++) {
                neighbors.put(item.neighborIds().get(n), item.neighborSims().get(n));
            }
            bulk.append("{\"index\":{\"_index\":\"films\",\"_id\":\"").append(item.id()).append("\"}}\n").append(doc).append('\n');
        }
        for (DemoCatalog.User user : catalog.users) {
            ObjectNode doc = JsonHttp.MAPPER.createObjectNode();
            var factors = doc.putArray("factors");
            for (float f : user.factors()) {
                factors.add(f);
            }
            var history = doc.putArray("history");
            user.history().forEach(id -> history.addObject().put("item", id).put("weight", 1.0));
            bulk.append("{\"index\":{\"_index\":\"viewers\",\"_id\":\"").append(user.id()).append("\"}}\n").append(doc).append('\n');
        }
        JsonHttp.Response response = http.postNdjson("/_bulk?refresh=true", bulk.toString());
        require(response, "bulk load");
        if (response.at("/errors").asBoolean()) {
            String body = response.body();
            throw new IllegalStateException("bulk load had item errors: " + body.substring(0, Math.min(2000, body.length())));
        }
    }

    /** The model over the demo's indices, its Gramian, and an events pipeline that folds each view into the profile. */
    static void registerModel(JsonHttp http) {
        String model = """
            { "items": { "index": "films", "content": ["title"] },
              "users": { "index": "viewers", "max_history": 50 },
              "factors": { "dims": %d, "lambda": 0.1, "alpha": 10 } }""".formatted(DemoCatalog.DIMS);
        require(http.put("/_recommend/model/films", model), "register model [films]");
        require(http.post("/_recommend/model/films/_refresh", null), "refresh model [films]");
        String pipeline = """
            { "description": "keeps viewer profiles current",
              "processors": [ { "recommend_update": { "model": "films", "action_weights": { "watch": 1, "rate": 3 } } } ] }""";
        require(http.put("/_ingest/pipeline/film-events", pipeline), "create pipeline [film-events]");
    }

    private static void require(JsonHttp.Response response, String what) {
        if (response.status() / 100 != 2) {
            throw new IllegalStateException(what + " failed: HTTP " + response.status() + " " + response.body());
        }
    }
}
