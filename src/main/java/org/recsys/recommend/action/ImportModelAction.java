package org.recsys.recommend.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.HandledTransportAction;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.client.internal.ParentTaskAssigningClient;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.indices.breaker.CircuitBreakerService;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.tasks.TaskId;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST _recommend/model/{id}/_import}: serves a model version trained outside the cluster (the Spark job) from the
 * run it staged, as a cancellable task ({@code ?wait_for_completion=false} returns its id). It reads the staging index and
 * writes items and users with the caller's privileges; see {@link ModelImport}.
 */
public class ImportModelAction extends HandledTransportAction<ImportModelAction.Request, ImportModelAction.Response> {

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
        public Task createTask(long taskId, String type, String action, TaskId parentTaskId, Map<String, String> headers) {
            return new TrainTask(taskId, type, action, getDescription(), parentTaskId, headers);
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
                // profiles that took events after the run's cut-off or during the import: their history kept, a vector refolded
                .field("profiles_with_new_events", result.profilesWithNewEvents())
                .field("lambda", result.lambda())
                .field("alpha", result.alpha())
                .field("phases_ms", result.phaseMillis())
                .endObject();
        }
    }

    private final Client client;
    private final ClusterService clusterService;
    private final ModelRegistry registry;
    private final RecommendStats stats;
    private final NamedXContentRegistry xContentRegistry;
    private final CircuitBreakerService breakers;
    private final Map<String, TaskId> running = new ConcurrentHashMap<>();

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
        super(NAME, transportService, filters, Request::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.client = client;
        this.clusterService = clusterService;
        this.registry = registry;
        this.stats = stats;
        this.xContentRegistry = xContentRegistry;
        this.breakers = breakers;
    }

    @Override
    protected void doExecute(Task task, Request request, ActionListener<Response> listener) {
        long start = System.nanoTime();
        RecommendModel model = registry.get(request.modelId());
        ImportSpec spec;
        try {
            spec = request.parse(xContentRegistry);
        } catch (IOException e) {
            listener.onFailure(e);
            return;
        }
        Client taskClient = new ParentTaskAssigningClient(client, clusterService.localNode(), task);
        TaskId self = new TaskId(clusterService.localNode().getId(), task.getId());
        ModelTasks.requireNoneRunning(taskClient, model.id(), self, listener.delegateFailureAndWrap((l, v) -> {
            if (request.validateOnly()) {
                l.onResponse(Response.VALIDATED);
                return;
            }
            TaskId other = running.putIfAbsent(model.id(), self);
            if (other != null) {
                throw ModelTasks.busy(model.id(), other);
            }
            TrainingMemory memory = new TrainingMemory(breakers.getBreaker(CircuitBreaker.REQUEST), "recommend import [" + model.id()
                + "]");
            ModelImport modelImport = new ModelImport(taskClient, (TrainTask) task, model, spec, memory,
                TrainModelAction.storeThrough(taskClient));
            stats.trainingStarted();
            ActionListener<Response> counted = l.delegateResponse((ll, e) -> {
                stats.trainingFailed();
                ll.onFailure(e);
            });
            modelImport.run(ActionListener.runAfter(
                counted.map(result -> new Response(model.id(), result, (System.nanoTime() - start) / 1_000_000)),
                () -> running.remove(model.id(), self)
            ));
        }));
    }
}
