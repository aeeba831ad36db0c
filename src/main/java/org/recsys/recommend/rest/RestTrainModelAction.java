package org.recsys.recommend.rest;

import org.elasticsearch.action.support.SubscribableListener;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.rest.action.RestCancellableNodeClient;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.elasticsearch.tasks.LoggingTaskListener;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.recsys.recommend.action.TrainModelAction;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.train.TrainSpec;

import java.io.IOException;
import java.util.List;
import java.util.function.Function;

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

    private final Function<String, RecommendModel> models;

    public RestTrainModelAction(Function<String, RecommendModel> models) {
        this.models = models;
    }

    @Override
    public String getName() {
        return "recommend_train_model_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(POST, "/_recommend/model/{id}/_train"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
        String id = request.param("id");
        RecommendModel model = models.apply(id);
        TrainSpec spec;
        try (XContentParser parser = request.contentParser()) {
            spec = TrainSpec.fromXContent(parser, model.factors().dims(),
                model.factors().lambdaAuto() ? null : model.factors().lambda(), model.factors().alpha(),
                model.items().content());
        }
        TrainModelAction.Request train = new TrainModelAction.Request(id, spec);
        if (request.paramAsBoolean("wait_for_completion", true)) {
            return channel -> new RestCancellableNodeClient(client, request.getHttpChannel()).execute(
                TrainModelAction.TYPE,
                train,
                new RestToXContentListener<>(channel)
            );
        }
        train.setShouldStoreResult(true);
        // started from the channel consumer, not while the request is prepared: a request that Elasticsearch then refuses
        // (an unknown parameter, say) must not have started a training
        return channel -> {
            var responseListener = new SubscribableListener<TrainModelAction.Response>();
            Task task = client.executeLocally(TrainModelAction.TYPE, train, responseListener);
            responseListener.addListener(new LoggingTaskListener<>(task));
            XContentBuilder builder = channel.newBuilder();
            builder.startObject().field("task", client.getLocalNodeId() + ":" + task.getId()).endObject();
            channel.sendResponse(new RestResponse(RestStatus.OK, builder));
        };
    }
}
