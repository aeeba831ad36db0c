package org.recsys.recommend.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.recsys.recommend.action.RecommendInfoAction;

import java.util.List;

import static org.elasticsearch.rest.RestRequest.Method.GET;

/**
 * Tells which version of the plugin a node runs, so an install can be checked without a search.
 *
 * <pre>
 * GET /_recommend
 * { "name": "recommend", "version": "0.1.0", "elasticsearch_version": "9.5.4" }
 * </pre>
 */
public class RestRecommendInfoAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "recommend_info_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(GET, "/_recommend"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        var info = new RecommendInfoAction.Request();
        return channel -> client.execute(RecommendInfoAction.TYPE, info, new RestToXContentListener<>(channel));
    }
}
