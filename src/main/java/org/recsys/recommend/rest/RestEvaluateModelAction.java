package org.recsys.recommend.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestCancellableNodeClient;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.elasticsearch.xcontent.XContentParser;
import org.recsys.recommend.action.EvaluateModelAction;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.elasticsearch.rest.RestRequest.Method.POST;

/**
 * Evaluates recommend configurations of a model on held-out events.
 *
 * <pre>
 * POST _recommend/model/movies/_evaluate
 * { "test": { "index": "events_test" }, "k": 10,
 *   "configs": { "blend": {}, "cf_only": { "signals": { "collaborative": {} } } } }
 * </pre>
 */
public class RestEvaluateModelAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "recommend_evaluate_model_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(POST, "/_recommend/model/{id}/_evaluate"));
    }

    @Override
    @SuppressWarnings("unchecked")
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
        Map<String, Object> body;
        try (XContentParser parser = request.contentParser()) {
            body = new HashMap<>(parser.mapOrdered());
        }
        Object testValue = body.remove("test");
        if (testValue instanceof Map<?, ?> == false) {
            throw new IllegalArgumentException("[test] must be an object with the held-out events' [index]");
        }
        Map<String, Object> test = new HashMap<>((Map<String, Object>) testValue);
        Object index = test.remove("index");
        if (index instanceof String == false) {
            throw new IllegalArgumentException("[test.index] is required");
        }
        String user = String.valueOf(test.getOrDefault("user", "user"));
        String item = String.valueOf(test.getOrDefault("item", "item"));
        test.remove("user");
        test.remove("item");
        if (test.isEmpty() == false) {
            throw new IllegalArgumentException("[test] has unknown keys " + test.keySet());
        }
        int k = RecommendBodyParser.intValue("k", body.remove("k"), 10);
        if (k < 1 || k > 1000) {
            throw new IllegalArgumentException("[k] must be between 1 and 1000, got [" + k + "]");
        }
        Object configsValue = body.remove("configs");
        Map<String, Map<String, Object>> configs = new LinkedHashMap<>();
        if (configsValue == null) {
            configs.put("default", Map.of());
        } else if (configsValue instanceof Map<?, ?> map && map.isEmpty() == false) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getValue() instanceof Map<?, ?> == false) {
                    throw new IllegalArgumentException("[configs." + e.getKey() + "] must be an object of recommend query parameters");
                }
                configs.put(e.getKey().toString(), (Map<String, Object>) e.getValue());
            }
        } else {
            throw new IllegalArgumentException("[configs] must be a non-empty object of named recommend configurations");
        }
        if (body.isEmpty() == false) {
            throw new IllegalArgumentException("unknown keys " + body.keySet() + "; expected [test], [k], [configs]");
        }
        EvaluateModelAction.Request evaluate = new EvaluateModelAction.Request(request.param("id"), (String) index, user, item, k, configs);
        return channel -> new RestCancellableNodeClient(client, request.getHttpChannel()).execute(
            EvaluateModelAction.TYPE,
            evaluate,
            new RestToXContentListener<>(channel)
        );
    }
}
