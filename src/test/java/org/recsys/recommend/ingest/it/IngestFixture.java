package org.recsys.recommend.ingest.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.recsys.recommend.testing.JsonHttp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.recsys.recommend.ingest.it.FoldInCatalogue.ok;

/** Set-up shared by the ingest ITs: users indices, models, pipelines, events, and reading a profile back. */
final class IngestFixture {

    private IngestFixture() {}

    /** A user profile as stored: its vector (null when absent), its history in stored order with merged weights. */
    record Profile(boolean exists, float[] factors, Map<String, Double> history, long version) {
        List<String> items() {
            return new ArrayList<>(history.keySet());
        }
    }

    static void usersIndex(JsonHttp http, String index, int k) {
        ok(http.put("/" + index, String.format(Locale.ROOT, """
            {"settings":{"number_of_shards":1,"number_of_replicas":0},
             "mappings":{"properties":{
               "factors":{"type":"dense_vector","dims":%d,"similarity":"max_inner_product"},
               "history":{"type":"object","enabled":false}}}}""", k)));
    }

    static String modelBody(String items, String users, int k, double lambda, double alpha, int maxHistory) {
        return String.format(Locale.ROOT, """
            {"items":{"index":"%s"},"users":{"index":"%s","max_history":%d},
             "factors":{"dims":%d,"lambda":%s,"alpha":%s}}""", items, users, maxHistory, k, lambda, alpha);
    }

    static void putModel(JsonHttp http, String id, String body) {
        ok(http.put("/_recommend/model/" + id, body));
    }

    static JsonHttp.Response refresh(JsonHttp http, String model) {
        return ok(http.post("/_recommend/model/" + model + "/_refresh", null));
    }

    static void pipeline(JsonHttp http, String id, String processors) {
        ok(http.put("/_ingest/pipeline/" + id, "{\"processors\":" + processors + "}"));
    }

    /** An event document; a null weight or action leaves that field out. */
    static String event(String user, String item, Double weight, String action, String ts) {
        ObjectNode doc = JsonHttp.MAPPER.createObjectNode();
        doc.put("user", user);
        doc.put("item", item);
        if (weight != null) {
            doc.put("weight", weight);
        }
        if (action != null) {
            doc.put("action", action);
        }
        if (ts != null) {
            doc.put("@timestamp", ts);
        }
        return doc.toString();
    }

    static Profile profile(JsonHttp http, String users, String id) {
        JsonHttp.Response response = http.get("/" + users + "/_doc/" + id + "?_source_exclude_vectors=false");
        if (response.status() == 404) {
            return new Profile(false, null, Map.of(), -1);
        }
        ok(response);
        JsonNode source = response.at("/_source");
        JsonNode factors = source.path("factors");
        Map<String, Double> history = new LinkedHashMap<>();
        for (JsonNode entry : source.path("history")) {
            String item = entry.isTextual() ? entry.asText() : entry.path("item").asText();
            double weight = entry.isTextual() ? 1 : entry.path("weight").asDouble(1);
            if (history.put(item, weight) != null) {
                throw new AssertionError("profile [" + id + "] lists [" + item + "] twice: " + source);
            }
        }
        return new Profile(
            true,
            factors.isArray() ? FoldInCatalogue.vector(factors) : null,
            history,
            response.at("/_version").asLong()
        );
    }
}
