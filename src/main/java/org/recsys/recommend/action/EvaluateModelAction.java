package org.recsys.recommend.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.IndicesRequest;
import org.elasticsearch.action.support.IndicesOptions;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.HandledTransportAction;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.client.internal.ParentTaskAssigningClient;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.elasticsearch.search.sort.SortOrder;
import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.transport.TransportService;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.train.Evaluator;
import org.recsys.recommend.train.ScrollScan;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST _recommend/model/{id}/_evaluate}: held-out events in, P@K, R@K, nDCG@K, MAP@K, HR@K and coverage out, for
 * each named recommend configuration, computed through the real query path with the caller's privileges.
 */
public class EvaluateModelAction extends HandledTransportAction<EvaluateModelAction.Request, EvaluateModelAction.Response> {

    /** An index read, like {@code _rank_eval}: the caller needs {@code read} on the test index (and, for the queries it runs
     * as them, on the items and users). */
    public static final String NAME = "indices:data/read/recommend/evaluate";
    public static final ActionType<Response> TYPE = new ActionType<>(NAME);
    /** The most held-out (user, item) pairs one evaluation reads: they are held in memory for its whole run. */
    public static final int MAX_TEST_EVENTS = 500_000;

    /** The model, the held-out events, K, and the configurations (raw recommend query bodies) to compare. */
    public static final class Request extends ModelTaskRequest implements IndicesRequest {
        private final String testIndex;
        private final String userField;
        private final String itemField;
        private final int k;
        private final Map<String, Map<String, Object>> configs;

        public Request(String id, String testIndex, String userField, String itemField, int k, Map<String, Map<String, Object>> configs) {
            super(id);
            this.testIndex = testIndex;
            this.userField = userField;
            this.itemField = itemField;
            this.k = k;
            this.configs = new LinkedHashMap<>(configs);
        }

        @SuppressWarnings("unchecked")
        public Request(StreamInput in) throws IOException {
            super(in);
            testIndex = in.readString();
            userField = in.readString();
            itemField = in.readString();
            k = in.readVInt();
            configs = new LinkedHashMap<>();
            in.readGenericMap().forEach((name, config) -> configs.put(name, (Map<String, Object>) config));
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(testIndex);
            out.writeString(userField);
            out.writeString(itemField);
            out.writeVInt(k);
            out.writeGenericMap(new LinkedHashMap<>(configs));
        }

        @Override
        public String getDescription() {
            return "evaluate recommend model [" + modelId() + "] on [" + testIndex + "] configs " + configs.keySet();
        }

        @Override
        public String[] indices() {
            return new String[] { testIndex };
        }

        @Override
        public IndicesOptions indicesOptions() {
            return IndicesOptions.strictSingleIndexNoExpandForbidClosed();
        }
    }

    /** Metrics per configuration. */
    public static final class Response extends ActionResponse implements ToXContentObject {
        private final String id;
        private final int k;
        private final int users;
        private final Map<String, Evaluator.ConfigResult> results;
        private final long tookMillis;

        Response(String id, int k, int users, Map<String, Evaluator.ConfigResult> results, long tookMillis) {
            this.id = id;
            this.k = k;
            this.users = users;
            this.results = results;
            this.tookMillis = tookMillis;
        }

        @Override
        public void writeTo(StreamOutput out) {
            throw new UnsupportedOperationException("evaluation responses are rendered on the node that ran them");
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            builder.startObject().field("model", id).field("k", k).field("test_users", users).field("took", tookMillis);
            builder.startObject("configs");
            for (Map.Entry<String, Evaluator.ConfigResult> e : results.entrySet()) {
                var m = e.getValue().metrics();
                builder.startObject(e.getKey())
                    .field("users", m.users())
                    .field("precision", m.precision())
                    .field("recall", m.recall())
                    .field("ndcg", m.ndcg())
                    .field("map", m.map())
                    .field("hit_rate", m.hitRate())
                    .field("coverage", m.coverage())
                    .field("failed_users", e.getValue().failedUsers());
                if (e.getValue().firstFailure() != null) {
                    builder.field("first_failure", e.getValue().firstFailure());
                }
                builder.endObject();
            }
            return builder.endObject().endObject();
        }
    }

    private final Client client;
    private final ClusterService clusterService;
    private final ModelRegistry registry;

    @Inject
    public EvaluateModelAction(TransportService transportService, ActionFilters filters, Client client, ClusterService clusterService,
        ModelRegistry registry) {
        super(NAME, transportService, filters, Request::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.client = client;
        this.clusterService = clusterService;
        this.registry = registry;
    }

    @Override
    protected void doExecute(Task task, Request request, ActionListener<Response> listener) {
        long start = System.nanoTime();
        RecommendModel model = registry.get(request.modelId());
        Client taskClient = new ParentTaskAssigningClient(client, clusterService.localNode(), task);
        Map<String, Set<String>> heldOut = new HashMap<>();
        int[] pairs = { 0 };
        SearchSourceBuilder source = new SearchSourceBuilder().size(5000)
            .sort("_doc", SortOrder.ASC)
            .fetchSource(FetchSourceContext.of(true, null, new String[] { request.userField, request.itemField }, null));
        ScrollScan.scan(taskClient, (CancellableTask) task, new SearchRequest(request.testIndex).source(source), hits -> {
            for (SearchHit hit : hits) {
                Map<String, Object> doc = hit.getSourceAsMap();
                Object user = doc == null ? null : doc.get(request.userField);
                Object item = doc == null ? null : doc.get(request.itemField);
                if (user != null && item != null && heldOut.computeIfAbsent(user.toString(), u -> new HashSet<>()).add(item.toString())
                    && ++pairs[0] > MAX_TEST_EVENTS) {
                    throw new IllegalArgumentException("[test.index] [" + request.testIndex + "] holds more than " + MAX_TEST_EVENTS
                        + " distinct (user, item) events: evaluate on a sample of its users");
                }
            }
        }, listener.delegateFailureAndWrap((l, v) -> {
            if (heldOut.isEmpty()) {
                throw new IllegalArgumentException("[test.index] [" + request.testIndex + "] has no events with a user and an item");
            }
            CancellableTask cancellable = (CancellableTask) task;
            Evaluator evaluator = new Evaluator(taskClient, cancellable, model, id -> registry.getForField("model", id), request.k);
            evaluator.run(heldOut, request.configs, l.map(results -> new Response(model.id(), request.k, heldOut.size(), results,
                (System.nanoTime() - start) / 1_000_000)));
        }));
    }
}
