package org.recsys.recommend.rest;

import org.elasticsearch.action.support.SubscribableListener;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.rest.action.RestActionListener;
import org.elasticsearch.rest.action.RestCancellableNodeClient;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.elasticsearch.tasks.LoggingTaskListener;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentType;
import org.recsys.recommend.action.TrainModelAction;

import java.io.IOException;
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
public class RestTrainModelAction extends BaseRestHandler {

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
        boolean waitForCompletion;
        try {
            waitForCompletion = request.paramAsBoolean("wait_for_completion", true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("[wait_for_completion] " + e.getMessage(), e);
        }
        if (waitForCompletion) {
            return channel -> new RestCancellableNodeClient(client, request.getHttpChannel()).execute(
                TrainModelAction.TYPE,
                new TrainModelAction.Request(id, body, type, false),
                new RestToXContentListener<>(channel)
            );
        }
        TrainModelAction.Request train = new TrainModelAction.Request(id, body, type, false);
        train.setShouldStoreResult(true);
        // started from the channel consumer, not while the request is prepared (a request that Elasticsearch then refuses for
        // an unknown parameter must not have started a training), and only after the same request, validate-only, passed
        // authorization and parsing: a caller who may not train gets a 403, not a task id whose result is a 403
        return channel -> client.execute(TrainModelAction.TYPE, new TrainModelAction.Request(id, body, type, true),
            new RestActionListener<>(channel) {
                @Override
                protected void processResponse(TrainModelAction.Response validated) throws IOException {
                    var responseListener = new SubscribableListener<TrainModelAction.Response>();
                    Task task = client.executeLocally(TrainModelAction.TYPE, train, responseListener);
                    responseListener.addListener(new LoggingTaskListener<>(task));
                    XContentBuilder builder = channel.newBuilder();
                    builder.startObject().field("task", client.getLocalNodeId() + ":" + task.getId()).endObject();
                    channel.sendResponse(new RestResponse(RestStatus.OK, builder));
                }
            });
    }
}
