package org.recsys.recommend.rest;

import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.SubscribableListener;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.rest.action.RestActionListener;
import org.elasticsearch.rest.action.RestCancellableNodeClient;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.elasticsearch.tasks.LoggingTaskListener;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.recsys.recommend.action.BodyTaskRequest;

import java.io.IOException;
import java.util.function.Function;

/**
 * How the REST layer runs a long model task ({@code _train}, {@code _import}): in the call, cancelled when the client goes
 * away, or with {@code wait_for_completion=false} as a task whose id is answered and whose result is stored for
 * {@code GET _tasks/<id>}.
 */
abstract class RestModelTaskAction extends BaseRestHandler {

    /** {@code requestOf.apply(validateOnly)} builds the action's request. */
    static <R extends ActionResponse & ToXContentObject> RestChannelConsumer executeModelTask(RestRequest request, NodeClient client,
        ActionType<R> type, Function<Boolean, ? extends BodyTaskRequest> requestOf) {
        boolean waitForCompletion;
        try {
            waitForCompletion = request.paramAsBoolean("wait_for_completion", true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("[wait_for_completion] " + e.getMessage(), e);
        }
        if (waitForCompletion) {
            return channel -> new RestCancellableNodeClient(client, request.getHttpChannel()).execute(type, requestOf.apply(false),
                new RestToXContentListener<>(channel));
        }
        BodyTaskRequest started = requestOf.apply(false);
        started.setShouldStoreResult(true);
        // started from the channel consumer, not while the request is prepared (a request that Elasticsearch then refuses for
        // an unknown parameter must not have started anything), and only after the same request, validate-only, passed
        // authorization and parsing: a caller who may not run it gets a 403, not a task id whose result is a 403
        return channel -> client.execute(type, requestOf.apply(true), new RestActionListener<>(channel) {
            @Override
            protected void processResponse(R validated) throws IOException {
                var responseListener = new SubscribableListener<R>();
                Task task = client.executeLocally(type, started, responseListener);
                responseListener.addListener(new LoggingTaskListener<>(task));
                XContentBuilder builder = channel.newBuilder();
                builder.startObject().field("task", client.getLocalNodeId() + ":" + task.getId()).endObject();
                channel.sendResponse(new RestResponse(RestStatus.OK, builder));
            }
        });
    }
}
