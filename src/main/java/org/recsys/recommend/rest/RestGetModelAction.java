package org.recsys.recommend.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.recsys.recommend.action.GetModelAction;
import org.recsys.recommend.model.RecommendModel;

import java.util.List;
import java.util.Set;

import static org.elasticsearch.rest.RestRequest.Method.GET;

/**
 * Reads models; the Gramian is left out unless {@code ?include_gramian=true}.
 *
 * <pre>
 * GET _recommend/model/movies
 * GET _recommend/model
 * </pre>
 */
public class RestGetModelAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "recommend_get_model_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(GET, "/_recommend/model"), new Route(GET, "/_recommend/model/{id}"));
    }

    @Override
    protected Set<String> responseParams() {
        return Set.of(RecommendModel.INCLUDE_GRAMIAN_PARAM);
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        GetModelAction.Request get = new GetModelAction.Request(request.param("id"));
        if (request.hasParam(RecommendModel.INCLUDE_GRAMIAN_PARAM) == false) {
            request.params().put(RecommendModel.INCLUDE_GRAMIAN_PARAM, "false");
        }
        return channel -> client.execute(GetModelAction.TYPE, get, new RestToXContentListener<>(channel));
    }
}
