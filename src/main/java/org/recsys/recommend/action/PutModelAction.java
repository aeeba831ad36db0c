package org.recsys.recommend.action;

import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.master.AcknowledgedRequest;
import org.elasticsearch.action.support.master.AcknowledgedResponse;
import org.elasticsearch.action.support.master.AcknowledgedTransportMasterNodeAction;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.cluster.AckedClusterStateUpdateTask;
import org.elasticsearch.cluster.ClusterState;
import org.elasticsearch.cluster.block.ClusterBlockException;
import org.elasticsearch.cluster.block.ClusterBlockLevel;
import org.elasticsearch.cluster.metadata.ProjectMetadata;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.core.SuppressForbidden;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.TransportService;
import org.recsys.recommend.model.ModelIndices;
import org.recsys.recommend.model.ModelMetadata;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.model.RecommendModel;

import java.io.IOException;

/**
 * Creates or replaces a model ({@code PUT _recommend/model/{id}}), or stores the state {@code _refresh} derived. A new
 * configuration keeps the derived state when it still fits (same items index, factors field and dims), and prepares the
 * mappings of its indices first ({@link ModelIndices}).
 */
public class PutModelAction extends AcknowledgedTransportMasterNodeAction<PutModelAction.Request> {

    public static final String NAME = "cluster:admin/recommend/model/put";
    public static final ActionType<AcknowledgedResponse> TYPE = new ActionType<>(NAME);

    /**
     * The model to store; or, with {@code computedFromSlot} set, only its state, computed while the stored model served
     * that slot: its state replaces the stored model's (and with {@code tuned} also its factors settings and signals, what
     * a tuned training chose) in the same cluster-state update.
     */
    public static final class Request extends AcknowledgedRequest<Request> {
        private static final int NOT_STATE_ONLY = -1;

        private final RecommendModel model;
        private final int computedFromSlot;
        private final boolean tuned;

        /** Creates or replaces the whole model. */
        public Request(TimeValue masterNodeTimeout, TimeValue ackTimeout, RecommendModel model) {
            this(masterNodeTimeout, ackTimeout, model, NOT_STATE_ONLY, false);
        }

        /**
         * Stores {@code model}'s state, computed while slot {@code computedFromSlot} was served: a {@code _refresh} keeps
         * that slot, a training switches to the other one. Refused when the stored model serves another slot by now.
         */
        public Request(TimeValue masterNodeTimeout, TimeValue ackTimeout, RecommendModel model, int computedFromSlot, boolean tuned) {
            super(masterNodeTimeout, ackTimeout);
            this.model = model;
            this.computedFromSlot = computedFromSlot;
            this.tuned = tuned;
        }

        public Request(StreamInput in) throws IOException {
            super(in);
            model = new RecommendModel(in);
            computedFromSlot = in.readInt();
            tuned = in.readBoolean();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            model.writeTo(out);
            out.writeInt(computedFromSlot);
            out.writeBoolean(tuned);
        }

        public RecommendModel model() {
            return model;
        }

        boolean stateOnly() {
            return computedFromSlot != NOT_STATE_ONLY;
        }
    }

    private final Client client;

    @Inject
    public PutModelAction(
        TransportService transportService,
        ClusterService clusterService,
        ThreadPool threadPool,
        ActionFilters filters,
        Client client
    ) {
        super(NAME, transportService, clusterService, threadPool, filters, Request::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.client = client;
    }

    /**
     * A new configuration first prepares its indices (on this node, once this action is authorized, with the caller's
     * privileges): the model is stored only once what the plugin will write has its mapping, and a conflicting mapping
     * fails the request before anything is written.
     */
    @Override
    protected void doExecute(Task task, Request request, ActionListener<AcknowledgedResponse> listener) {
        if (request.stateOnly()) {
            super.doExecute(task, request, listener);
            return;
        }
        ModelIndices.prepare(client, request.model, listener.delegateFailureAndWrap((l, v) -> super.doExecute(task, request, l)));
    }

    @Override
    @SuppressForbidden(reason = "a single, rare metadata update: batching would add machinery without benefit")
    protected void masterOperation(Task task, Request request, ClusterState state, ActionListener<AcknowledgedResponse> listener) {
        String source = "put-recommend-model-" + request.model.id();
        clusterService.submitUnbatchedStateUpdateTask(source, new AckedClusterStateUpdateTask(request, listener) {
            @Override
            public ClusterState execute(ClusterState current) {
                ProjectMetadata project = current.metadata().getProject();
                ModelMetadata models = ModelRegistry.models(project);
                RecommendModel existing = models.get(request.model.id());
                RecommendModel next = request.model;
                if (request.stateOnly()) {
                    if (existing == null) {
                        throw new org.elasticsearch.ResourceNotFoundException("[model] unknown recommend model [" + next.id() + "]");
                    }
                    // a PUT while the state was computed (a _train or a _refresh) may have pointed the model elsewhere: a
                    // Gramian of other items, or profiles of another users index, must not be stored on it
                    if (sameTargets(existing, next) == false) {
                        throw new ElasticsearchStatusException("[model] [" + next.id() + "] was changed (its items, users, dims or "
                            + "regularization) while its state was being computed: nothing stored; run _train or _refresh again",
                            RestStatus.CONFLICT);
                    }
                    // a state computed over one slot is only right while that slot is still the one served (one train or
                    // refresh at a time makes this rare: a state restored from a snapshot meanwhile, say)
                    if (existing.servingSlot() != request.computedFromSlot) {
                        throw new ElasticsearchStatusException("[model] [" + next.id() + "] switched to another trained version "
                            + "while this state was being computed: nothing stored; run _train or _refresh again", RestStatus.CONFLICT);
                    }
                    next = request.tuned
                        ? existing.withTuning(next.factors(), next.signals()).withState(next.state())
                        : existing.withState(next.state());
                } else if (existing != null && existing.stateCarriesOverTo(next)) {
                    if (next.factors().lambdaAuto() && existing.factors().lambdaAuto()
                        && next.factors().weighted() == existing.factors().weighted()) {
                        // the Gramian stays with the factors a training derived λ for: fold-in must keep using that λ (a λ
                        // derived for the other regularization is on another scale, per interaction or per row: not kept)
                        next = next.withTuning(next.factors().withLambda(existing.factors().lambda(), next.factors().alpha(), true),
                            next.signals());
                    }
                    next = next.withState(existing.state());
                }
                ModelMetadata updated = models.with(next);
                return current.copyAndUpdateProject(project.id(), builder -> builder.putCustom(ModelMetadata.TYPE, updated));
            }
        });
    }

    /**
     * Whether both read and write the same indices and fields with the same dims and regularization (other settings may
     * change meanwhile).
     */
    private static boolean sameTargets(RecommendModel a, RecommendModel b) {
        return a.factors().dims() == b.factors().dims()
            && a.factors().weighted() == b.factors().weighted()
            && a.items().index().equals(b.items().index())
            && a.items().factors().equals(b.items().factors())
            && a.items().neighbors().equals(b.items().neighbors())
            && a.items().popularity().equals(b.items().popularity())
            && a.users().index().equals(b.users().index())
            && a.users().factors().equals(b.users().factors())
            && a.users().history().equals(b.users().history())
            && a.users().seen().equals(b.users().seen());
    }

    @Override
    protected ClusterBlockException checkBlock(Request request, ClusterState state) {
        return state.blocks().globalBlockedException(state.metadata().getProject().id(), ClusterBlockLevel.METADATA_WRITE);
    }
}
