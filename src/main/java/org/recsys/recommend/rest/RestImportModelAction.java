package org.recsys.recommend.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.xcontent.XContentType;
import org.recsys.recommend.action.ImportModelAction;

import java.util.List;

import static org.elasticsearch.rest.RestRequest.Method.POST;

/**
 * Serves a model version trained outside the cluster, from the run the Spark job staged (docs/spark.md).
 *
 * <pre>
 * POST _recommend/model/movies/_import?wait_for_completion=false
 * { "staging_index": "recommend-staging-movies", "run_id": "nightly-2026-12-06" }
 * </pre>
 */
public class RestImportModelAction extends RestModelTaskAction {

    @Override
    public String getName() {
        return "recommend_import_model_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(POST, "/_recommend/model/{id}/_import"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        String id = request.param("id");
        // the body is parsed by the action, after authorization
        BytesReference body = request.requiredContent();
        XContentType type = request.getXContentType();
        return executeModelTask(request, client, ImportModelAction.TYPE,
            validateOnly -> new ImportModelAction.Request(id, body, type, validateOnly));
    }
}
