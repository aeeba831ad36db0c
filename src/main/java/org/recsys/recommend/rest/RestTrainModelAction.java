package org.recsys.recommend.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.xcontent.XContentType;
import org.recsys.recommend.action.TrainModelAction;

import java.util.List;

import static org.elasticsearch.rest.RestRequest.Method.POST;

/**
 * Trains a model inside the cluster.
 *
 * <pre>
 * POST _recommend/model/movies/_train?wait_for_completion=false
 * { "events": { "index": "events" }, "als": { "iterations": 15, "seed": 42 }, "neighbors": { "k": 50 } }
 * </pre>
 */
public class RestTrainModelAction extends RestModelTaskAction {

    @Override
    public String getName() {
        return "recommend_train_model_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(POST, "/_recommend/model/{id}/_train"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        String id = request.param("id");
        // the body is parsed by the action, after authorization: its defaults come from the model
        BytesReference body = request.requiredContent();
        XContentType type = request.getXContentType();
        return executeModelTask(request, client, TrainModelAction.TYPE,
            validateOnly -> new TrainModelAction.Request(id, body, type, validateOnly));
    }
}
