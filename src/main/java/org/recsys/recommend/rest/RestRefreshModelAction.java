package org.recsys.recommend.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestCancellableNodeClient;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.recsys.recommend.action.RefreshModelAction;

import java.util.List;

import static org.elasticsearch.rest.RestRequest.Method.POST;

/**
 * Recomputes what fold-in needs from the item index (the Gramian), e.g. after registering factors trained elsewhere. The
 * task shows in {@code GET _tasks?actions=cluster:admin/recommend/*} and is cancelled if the client disconnects.
 *
 * <pre>
 * POST _recommend/model/movies/_refresh
 * </pre>
 */
public class RestRefreshModelAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "recommend_refresh_model_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(POST, "/_recommend/model/{id}/_refresh"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        RefreshModelAction.Request refresh = new RefreshModelAction.Request(request.param("id"));
        return channel -> new RestCancellableNodeClient(client, request.getHttpChannel()).execute(
            RefreshModelAction.TYPE,
            refresh,
            new RestToXContentListener<>(channel)
        );
    }
}
