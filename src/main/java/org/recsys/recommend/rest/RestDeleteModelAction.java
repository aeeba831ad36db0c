package org.recsys.recommend.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestUtils;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.recsys.recommend.action.DeleteModelAction;

import java.util.List;

import static org.elasticsearch.rest.RestRequest.Method.DELETE;

/**
 * Deletes a model (not its indices).
 *
 * <pre>
 * DELETE _recommend/model/movies
 * </pre>
 */
public class RestDeleteModelAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "recommend_delete_model_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(DELETE, "/_recommend/model/{id}"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        DeleteModelAction.Request delete = new DeleteModelAction.Request(
            RestUtils.getMasterNodeTimeout(request),
            RestUtils.getAckTimeout(request),
            request.param("id")
        );
        return channel -> client.execute(DeleteModelAction.TYPE, delete, new RestToXContentListener<>(channel));
    }
}
