package org.recsys.recommend.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.Strings;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestChunkedToXContentListener;
import org.recsys.recommend.action.RecommendStatsAction;

import java.util.List;

import static org.elasticsearch.rest.RestRequest.Method.GET;

/**
 * The plugin's counters and caches per node, as {@code _nodes/stats} shows Elasticsearch's.
 *
 * <pre>
 * GET _recommend/_stats
 * GET _recommend/_stats/nodes/{node_id}      (ids, names or node selectors, comma separated)
 * </pre>
 */
public class RestRecommendStatsAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "recommend_stats_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(GET, "/_recommend/_stats"), new Route(GET, "/_recommend/_stats/nodes/{node_id}"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        String[] nodes = Strings.splitStringByCommaToArray(request.param("node_id"));
        RecommendStatsAction.Request stats = new RecommendStatsAction.Request(nodes);
        return channel -> client.execute(RecommendStatsAction.TYPE, stats, new RestChunkedToXContentListener<>(channel));
    }
}
