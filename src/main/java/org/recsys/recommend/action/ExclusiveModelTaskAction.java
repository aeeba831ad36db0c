package org.recsys.recommend.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.HandledTransportAction;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.client.internal.ParentTaskAssigningClient;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.indices.breaker.CircuitBreakerService;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.tasks.TaskId;
import org.elasticsearch.transport.TransportService;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.stats.RecommendStats;
import org.recsys.recommend.train.TrainTask;
import org.recsys.recommend.train.TrainingMemory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A long task that builds a model's next version ({@code _train}, {@code _import}): the model looked up and the body parsed
 * once the caller is authorized, then, unless the request only validates, run alone for its model (no other training,
 * import or refresh of it anywhere: {@link ModelTasks}) with its heap reserved from the request breaker, counted in the
 * node's stats, answered with how long it took.
 *
 * @param <S> what the body parses to
 * @param <R> what the task produces
 */
abstract class ExclusiveModelTaskAction<Q extends BodyTaskRequest, P extends ActionResponse, S, R> extends HandledTransportAction<Q, P> {

    private final Client client;
    private final ClusterService clusterService;
    private final ModelRegistry registry;
    private final RecommendStats stats;
    private final CircuitBreakerService breakers;
    // the tasks of this action this node runs, by model (other nodes' are found through the tasks API)
    private final Map<String, TaskId> running = new ConcurrentHashMap<>();

    ExclusiveModelTaskAction(String name, TransportService transportService, ActionFilters filters, Writeable.Reader<Q> reader,
        Client client, ClusterService clusterService, ModelRegistry registry, RecommendStats stats, CircuitBreakerService breakers) {
        super(name, transportService, filters, reader, EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.client = client;
        this.clusterService = clusterService;
        this.registry = registry;
        this.stats = stats;
        this.breakers = breakers;
    }

    abstract S parse(Q request, RecommendModel model) throws IOException;

    /** The answer to a validate-only request. */
    abstract P validated();

    /**
     * What a validate-only request checks beyond the body, as the caller (so that {@code wait_for_completion=false} answers
     * those refusals rather than a task id): nothing by default.
     */
    void validate(Client taskClient, RecommendModel model, S spec, ActionListener<Void> listener) {
        listener.onResponse(null);
    }

    abstract void run(Client taskClient, TrainTask task, RecommendModel model, S spec, TrainingMemory memory, ActionListener<R> done);

    abstract P respond(String modelId, R result, long tookMillis);

    @Override
    protected final void doExecute(Task task, Q request, ActionListener<P> listener) {
        long start = System.nanoTime();
        RecommendModel model = registry.get(request.modelId());
        S spec;
        try {
            spec = parse(request, model);
        } catch (IOException e) {
            listener.onFailure(e);
            return;
        }
        Client taskClient = new ParentTaskAssigningClient(client, clusterService.localNode(), task);
        TaskId self = new TaskId(clusterService.localNode().getId(), task.getId());
        ModelTasks.requireNoneRunning(taskClient, model.id(), self, listener.delegateFailureAndWrap((l, v) -> {
            if (request.validateOnly()) {
                validate(taskClient, model, spec, l.map(checked -> validated()));
                return;
            }
            TaskId other = running.putIfAbsent(model.id(), self);
            if (other != null) {
                throw ModelTasks.busy(model.id(), other);
            }
            TrainingMemory memory = new TrainingMemory(breakers.getBreaker(CircuitBreaker.REQUEST), task.getDescription());
            stats.trainingStarted();
            ActionListener<P> counted = l.delegateResponse((ll, e) -> {
                stats.trainingFailed();
                ll.onFailure(e);
            });
            run(taskClient, (TrainTask) task, model, spec, memory, ActionListener.runAfter(
                counted.map(result -> respond(model.id(), result, (System.nanoTime() - start) / 1_000_000)),
                () -> running.remove(model.id(), self)
            ));
        }));
    }
}
