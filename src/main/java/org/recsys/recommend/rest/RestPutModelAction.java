package org.recsys.recommend.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestUtils;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.elasticsearch.xcontent.XContentParser;
import org.recsys.recommend.action.PutModelAction;
import org.recsys.recommend.model.RecommendModel;

import java.io.IOException;
import java.util.List;

import static org.elasticsearch.rest.RestRequest.Method.PUT;

/**
 * Creates or replaces a model.
 *
 * <pre>
 * PUT _recommend/model/movies
 * { "items": { "index": "items" }, "users": { "index": "users", "max_history": 500 }, "factors": { "dims": 64 } }
 * </pre>
 */
public class RestPutModelAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "recommend_put_model_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(PUT, "/_recommend/model/{id}"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
        String id = request.param("id");
        RecommendModel model;
        try (XContentParser parser = request.contentParser()) {
            model = RecommendModel.fromXContent(id, parser, false);
        }
        PutModelAction.Request put = new PutModelAction.Request(
            RestUtils.getMasterNodeTimeout(request),
            RestUtils.getAckTimeout(request),
            model
        );
        return channel -> client.execute(PutModelAction.TYPE, put, new RestToXContentListener<>(channel));
    }
}
