package org.recsys.recommend.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.indices.breaker.CircuitBreakerService;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.TransportService;
import org.elasticsearch.xcontent.NamedXContentRegistry;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentType;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.stats.RecommendStats;
import org.recsys.recommend.train.ModelStore;
import org.recsys.recommend.train.TrainSpec;
import org.recsys.recommend.train.TrainTask;
import org.recsys.recommend.train.Trainer;
import org.recsys.recommend.train.TrainingMemory;

import java.io.IOException;

/**
 * {@code POST _recommend/model/{id}/_train}: trains the model's factors, neighbors and popularity from an events index,
 * inside the cluster, as a cancellable task ({@code ?wait_for_completion=false} returns its id). It reads events and
 * writes items and users with the caller's privileges.
 */
public class TrainModelAction extends ExclusiveModelTaskAction<TrainModelAction.Request, TrainModelAction.Response, TrainSpec,
    Trainer.Result> {

    public static final String NAME = "cluster:admin/recommend/model/train";
    public static final ActionType<Response> TYPE = new ActionType<>(NAME);
    public static final String THREAD_POOL = "recommend_train";

    /** The model and the training's body (see {@link BodyTaskRequest}). */
    public static final class Request extends BodyTaskRequest {

        public Request(String id, BytesReference body, XContentType bodyType, boolean validateOnly) {
            super(id, body, bodyType, validateOnly);
        }

        public Request(StreamInput in) throws IOException {
            super(in);
        }

        @Override
        public String getDescription() {
            return validateOnly() ? "validate training of recommend model [" + modelId() + "]" : ModelTasks.TRAINING + modelId() + "]";
        }

        TrainSpec parse(RecommendModel model, NamedXContentRegistry registry) throws IOException {
            try (XContentParser parser = bodyParser(registry)) {
                return TrainSpec.fromXContent(parser, model.factors().dims(),
                    model.factors().lambdaAuto() ? null : model.factors().lambda(), model.factors().alpha(), model.items().content());
            }
        }
    }

    /** The training's outcome. */
    public static final class Response extends ActionResponse implements ToXContentObject {
        /** What a validate-only request answers: the model exists, the caller may train it and the body parses. */
        static final Response VALIDATED = new Response(null, null, 0);

        private final String id;
        private final Trainer.Result result;
        private final long tookMillis;

        public boolean validated() {
            return result == null;
        }

        Response(String id, Trainer.Result result, long tookMillis) {
            this.id = id;
            this.result = result;
            this.tookMillis = tookMillis;
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            if (result == null) {
                throw new IllegalStateException("a validation answer stays on the node that asked for it");
            }
            out.writeString(id);
            out.writeVLong(result.events());
            out.writeVLong(result.skippedEvents());
            out.writeString(result.eventsReadFrom());
            out.writeVInt(result.users());
            out.writeVInt(result.items());
            out.writeVLong(result.itemsNotInCatalogue());
            out.writeVInt(result.iterations());
            out.writeMap(result.phaseMillis(), StreamOutput::writeVLong);
            out.writeInt(result.contentFeatures());
            out.writeVLong(result.contentMappedItems());
            out.writeVLong(result.profilesWithNewEvents());
            out.writeVLong(tookMillis);
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            builder.startObject()
                .field("acknowledged", true)
                .field("model", id)
                .field("took", tookMillis)
                .field("events", result.events())
                .field("skipped_events", result.skippedEvents())
                .field("events_read_from", result.eventsReadFrom())
                .field("users", result.users())
                // profiles that took events while the training ran: they kept their history, and got a vector folded in from it
                .field("profiles_with_new_events", result.profilesWithNewEvents())
                .field("items", result.items())
                .field("items_not_in_catalogue", result.itemsNotInCatalogue())
                .field("iterations", result.iterations())
                .field("lambda", result.lambda())
                .field("alpha", result.alpha())
                .field("phases_ms", result.phaseMillis())
                .field("content_map_features", result.contentFeatures() < 0 ? null : result.contentFeatures())
                .field("content_mapped_items", result.contentMappedItems());
            if (result.tuning() != null) {
                builder.field("tuning", result.tuning(), params);
            }
            return builder.endObject();
        }
    }

    private final ThreadPool threadPool;
    private final NamedXContentRegistry xContentRegistry;

    @Inject
    public TrainModelAction(
        TransportService transportService,
        ActionFilters filters,
        Client client,
        ClusterService clusterService,
        ModelRegistry registry,
        RecommendStats stats,
        ThreadPool threadPool,
        NamedXContentRegistry xContentRegistry,
        CircuitBreakerService breakers
    ) {
        super(NAME, transportService, filters, Request::new, client, clusterService, registry, stats, breakers);
        this.threadPool = threadPool;
        this.xContentRegistry = xContentRegistry;
    }

    @Override
    TrainSpec parse(Request request, RecommendModel model) throws IOException {
        return request.parse(model, xContentRegistry);
    }

    @Override
    Response validated() {
        return Response.VALIDATED;
    }

    @Override
    void run(Client taskClient, TrainTask task, RecommendModel model, TrainSpec spec, TrainingMemory memory,
        ActionListener<Trainer.Result> done) {
        int parallelism = threadPool.info(THREAD_POOL).getMax();
        new Trainer(taskClient, task, model, spec, threadPool.executor(THREAD_POOL), parallelism, threadPool.generic(), memory,
            storeThrough(taskClient)).run(done);
    }

    @Override
    Response respond(String modelId, Trainer.Result result, long tookMillis) {
        return new Response(modelId, result, tookMillis);
    }

    /** A training stores its model through the model API, as the caller (a 409 when the served slot moved meanwhile). */
    static ModelStore storeThrough(Client client) {
        return (trained, computedFromSlot, chosenSettings, listener) -> client.execute(PutModelAction.TYPE,
            new PutModelAction.Request(TimeValue.THIRTY_SECONDS, TimeValue.THIRTY_SECONDS, trained, computedFromSlot, chosenSettings),
            listener.map(ack -> null));
    }
}
