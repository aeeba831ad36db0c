package org.recsys.recommend.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.HandledTransportAction;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.client.internal.ParentTaskAssigningClient;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.elasticsearch.search.sort.SortOrder;
import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.tasks.TaskId;
import org.elasticsearch.transport.TransportService;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.recsys.recommend.ingest.ItemFactorCache;
import org.recsys.recommend.math.Gramian;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.model.ModelState;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.train.ScrollScan;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code POST _recommend/model/{id}/_refresh}: scans the model's item factors (with the caller's read privileges), computes
 * the item Gramian YᵀY that exact fold-in needs, and stores it on the model. Runs as a cancellable task visible in
 * {@code _tasks}; a cancelled or failed refresh leaves the model as it was.
 */
public class RefreshModelAction extends HandledTransportAction<RefreshModelAction.Request, RefreshModelAction.Response> {

    public static final String NAME = "cluster:admin/recommend/model/refresh";
    public static final ActionType<Response> TYPE = new ActionType<>(NAME);
    private static final int PAGE = 1000;

    /** The model to refresh. */
    public static final class Request extends ModelTaskRequest {
        public Request(String id) {
            super(id);
        }

        public Request(StreamInput in) throws IOException {
            super(in);
        }

        @Override
        public String getDescription() {
            return ModelTasks.REFRESH + modelId() + "]: Gramian of item factors";
        }
    }

    /** How many item vectors went into the Gramian, and how long it took. */
    public static final class Response extends ActionResponse implements ToXContentObject {
        private final String id;
        private final long items;
        private final long tookMillis;

        Response(String id, long items, long tookMillis) {
            this.id = id;
            this.items = items;
            this.tookMillis = tookMillis;
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            out.writeString(id);
            out.writeVLong(items);
            out.writeVLong(tookMillis);
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            return builder.startObject()
                .field("acknowledged", true)
                .field("model", id)
                .field("items", items)
                .field("took", tookMillis)
                .endObject();
        }
    }

    private final Client client;
    private final ClusterService clusterService;
    private final ItemFactorCache itemFactors;
    private final ModelRegistry registry;

    @Inject
    public RefreshModelAction(
        TransportService transportService,
        ActionFilters filters,
        Client client,
        ClusterService clusterService,
        ModelRegistry registry,
        ItemFactorCache itemFactors
    ) {
        super(NAME, transportService, filters, Request::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.client = client;
        this.clusterService = clusterService;
        this.registry = registry;
        this.itemFactors = itemFactors;
    }

    @Override
    protected void doExecute(Task task, Request request, ActionListener<Response> listener) {
        RecommendModel model;
        try {
            model = registry.get(request.modelId());
        } catch (RuntimeException e) {
            listener.onFailure(e);
            return;
        }
        Client taskClient = new ParentTaskAssigningClient(client, clusterService.localNode(), task);
        TaskId self = new TaskId(clusterService.localNode().getId(), task.getId());
        // a training or another refresh of the model would store its own Gramian: one at a time
        ModelTasks.requireNoneRunning(taskClient, model.id(), self, listener.delegateFailureAndWrap((l, v) -> refresh(task, model,
            taskClient, l)));
    }

    private void refresh(Task task, RecommendModel model, Client taskClient, ActionListener<Response> listener) {
        long start = System.nanoTime();
        Gramian gramian = new Gramian(model.factors().dims());
        String field = model.serving().itemFactors();
        SearchSourceBuilder source = new SearchSourceBuilder().size(PAGE)
            .sort("_doc", SortOrder.ASC)
            .fetchSource(FetchSourceContext.of(true, false, new String[] { field }, null));
        SearchRequest search = new SearchRequest(model.items().index()).source(source);
        // read anyway: this node's fold-in of the next events need not fetch them one by one
        ItemFactorCache.Fill fill = itemFactors.startFill(model.items().index(), field);
        ScrollScan.scan(taskClient, (CancellableTask) task, search, hits -> {
            for (SearchHit hit : hits) {
                float[] vector = vectorOf(model, field, hit);
                if (vector != null) {
                    gramian.add(vector);
                    fill.put(hit.getIndex(), hit.getId(), vector);
                }
            }
        }, listener.delegateFailureAndWrap((l, v) -> {
            ModelState state = new ModelState(gramian.matrix(), gramian.count(), System.currentTimeMillis(), model.servingSlot());
            TimeValue timeout = TimeValue.THIRTY_SECONDS;
            PutModelAction.Request put = new PutModelAction.Request(timeout, timeout, model.withState(state), model.servingSlot(), false);
            long items = gramian.count();
            taskClient.execute(PutModelAction.TYPE, put, l.map(ack -> {
                fill.commit(); // after the new state dropped the older entries of these items, on every node
                return new Response(model.id(), items, millisSince(start));
            }));
        }));
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** An item's factors as stored in {@code field}, null when it has none (new, cold items do not enter YᵀY). */
    static float[] vectorOf(RecommendModel model, String field, SearchHit hit) {
        Map<String, Object> source = hit.getSourceAsMap(); // parses the source: once
        Object value = source == null ? null : source.get(field);
        if (value == null) {
            return null; // an item without factors (new, cold) does not enter YᵀY
        }
        if (value instanceof List<?> list && list.size() == model.factors().dims()) {
            float[] v = new float[list.size()];
            for (int i = 0; i < v.length; i++) {
                if (list.get(i) instanceof Number n && Float.isFinite(n.floatValue())) {
                    v[i] = n.floatValue();
                } else {
                    throw new IllegalArgumentException(
                        "[" + field + "] of item [" + hit.getId() + "] is not numeric"
                    );
                }
            }
            return v;
        }
        int dims = value instanceof List<?> list ? list.size() : -1;
        throw new IllegalArgumentException(
            "[" + field + "] of item [" + hit.getId() + "] has " + dims + " dims but model [" + model.id()
                + "] expects " + model.factors().dims()
        );
    }
}
