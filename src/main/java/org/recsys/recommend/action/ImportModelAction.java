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
import org.elasticsearch.indices.breaker.CircuitBreakerService;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.transport.TransportService;
import org.elasticsearch.xcontent.NamedXContentRegistry;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentType;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.stats.RecommendStats;
import org.recsys.recommend.train.ImportSpec;
import org.recsys.recommend.train.ModelImport;
import org.recsys.recommend.train.TrainTask;
import org.recsys.recommend.train.TrainingMemory;

import java.io.IOException;

/**
 * {@code POST _recommend/model/{id}/_import}: serves a model version trained outside the cluster (the Spark job) from the
 * run it staged, as a cancellable task ({@code ?wait_for_completion=false} returns its id). It reads the staging index and
 * writes items and users with the caller's privileges; see {@link ModelImport}.
 */
public class ImportModelAction extends ExclusiveModelTaskAction<ImportModelAction.Request, ImportModelAction.Response, ImportSpec,
    ModelImport.Result> {

    public static final String NAME = "cluster:admin/recommend/model/import";
    public static final ActionType<Response> TYPE = new ActionType<>(NAME);

    /** The model and the import's body (see {@link BodyTaskRequest}). */
    public static final class Request extends BodyTaskRequest {

        public Request(String id, BytesReference body, XContentType bodyType, boolean validateOnly) {
            super(id, body, bodyType, validateOnly);
        }

        public Request(StreamInput in) throws IOException {
            super(in);
        }

        @Override
        public String getDescription() {
            return validateOnly() ? "validate import into recommend model [" + modelId() + "]" : ModelTasks.IMPORT + modelId() + "]";
        }

        ImportSpec parse(NamedXContentRegistry registry) throws IOException {
            try (XContentParser parser = bodyParser(registry)) {
                return ImportSpec.fromXContent(parser);
            }
        }
    }

    /** What the import took over. */
    public static final class Response extends ActionResponse implements ToXContentObject {
        static final Response VALIDATED = new Response(null, null, 0);

        private final String id;
        private final ModelImport.Result result;
        private final long tookMillis;

        Response(String id, ModelImport.Result result, long tookMillis) {
            this.id = id;
            this.result = result;
            this.tookMillis = tookMillis;
        }

        public boolean validated() {
            return result == null;
        }

        @Override
        public void writeTo(StreamOutput out) {
            // answered on the node that ran it: the REST layer executes the action locally
            throw new UnsupportedOperationException("an import's answer stays on the node that ran it");
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            return builder.startObject()
                .field("acknowledged", true)
                .field("model", id)
                .field("run_id", result.runId())
                .field("trained_by", result.trainedBy())
                .field("took", tookMillis)
                .field("events", result.events())
                .field("events_cutoff", result.eventsCutoff().toString())
                .field("items", result.items())
                .field("items_not_in_catalogue", result.itemsNotInCatalogue())
                .field("users", result.users())
                // profiles with events the run did not read, or that it does not cover: their history kept, a vector folded in
                .field("profiles_with_new_events", result.profilesWithNewEvents())
                // of those and of the profiles that moved during the import, the ones left to their next event (see ModelImport)
                .field("profiles_not_refolded", result.profilesNotRefolded())
                .field("lambda", result.lambda())
                .field("alpha", result.alpha())
                .field("phases_ms", result.phaseMillis())
                .endObject();
        }
    }

    private final NamedXContentRegistry xContentRegistry;

    @Inject
    public ImportModelAction(
        TransportService transportService,
        ActionFilters filters,
        Client client,
        ClusterService clusterService,
        ModelRegistry registry,
        RecommendStats stats,
        NamedXContentRegistry xContentRegistry,
        CircuitBreakerService breakers
    ) {
        super(NAME, transportService, filters, Request::new, client, clusterService, registry, stats, breakers);
        this.xContentRegistry = xContentRegistry;
    }

    @Override
    ImportSpec parse(Request request, RecommendModel model) throws IOException {
        return request.parse(xContentRegistry);
    }

    @Override
    Response validated() {
        return Response.VALIDATED;
    }

    /** The run's manifest exists and fits the model: a staging index, run or dims that is wrong is answered, not a task id. */
    @Override
    void validate(Client taskClient, RecommendModel model, ImportSpec spec, ActionListener<Void> listener) {
        ModelImport.readRun(taskClient, model, spec, listener.map(manifest -> null));
    }

    @Override
    void run(Client taskClient, TrainTask task, RecommendModel model, ImportSpec spec, TrainingMemory memory,
        ActionListener<ModelImport.Result> done) {
        new ModelImport(taskClient, task, model, spec, memory, TrainModelAction.storeThrough(taskClient)).run(done);
    }

    @Override
    Response respond(String modelId, ModelImport.Result result, long tookMillis) {
        return new Response(modelId, result, tookMillis);
    }
}
