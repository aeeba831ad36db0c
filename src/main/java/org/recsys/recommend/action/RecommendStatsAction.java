package org.recsys.recommend.action;

import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.nodes.BaseNodeResponse;
import org.elasticsearch.action.support.nodes.BaseNodesRequest;
import org.elasticsearch.action.support.nodes.BaseNodesXContentResponse;
import org.elasticsearch.action.support.nodes.TransportNodesAction;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.cache.Cache;
import org.elasticsearch.common.collect.Iterators;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.AbstractTransportRequest;
import org.elasticsearch.transport.TransportService;
import org.elasticsearch.xcontent.ToXContent;
import org.recsys.recommend.ingest.ItemFactorCache;
import org.recsys.recommend.stats.RecommendStats;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;

/**
 * {@code GET _recommend/_stats}: each node's counters ({@link RecommendStats}) and its item factor cache, gathered like
 * {@code _nodes/stats}. Needs {@code monitor}.
 */
public class RecommendStatsAction extends TransportNodesAction<
    RecommendStatsAction.Request,
    RecommendStatsAction.Response,
    RecommendStatsAction.NodeRequest,
    RecommendStatsAction.NodeResponse,
    Void> {

    public static final String NAME = "cluster:monitor/recommend/stats";
    public static final ActionType<Response> TYPE = new ActionType<>(NAME);

    /** Which nodes: ids, names or the selectors {@code _nodes} takes; none means all. */
    public static final class Request extends BaseNodesRequest {
        public Request(String... nodeIds) {
            super(nodeIds);
        }
    }

    public static final class NodeRequest extends AbstractTransportRequest {
        NodeRequest() {}

        NodeRequest(StreamInput in) throws IOException {
            super(in);
        }
    }

    /** One node's figures. */
    public static final class NodeResponse extends BaseNodeResponse implements ToXContent {
        private final long[] values; // in the order of FIELDS

        static final List<String> FIELDS = List.of(
            "recommend.requests", "recommend.failures", "recommend.time_in_millis",
            "ingest.events_folded", "ingest.profile_conflicts", "ingest.profile_cache.entries",
            "train.started", "train.failed",
            "cache.item_factors.entries", "cache.item_factors.size_in_bytes", "cache.item_factors.hits",
            "cache.item_factors.misses", "cache.item_factors.evictions", "cache.fold_in_projections.entries"
        );

        NodeResponse(DiscoveryNode node, long[] values) {
            super(node);
            this.values = values;
        }

        NodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
            super(in, node);
            this.values = in.readVLongArray();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeVLongArray(values);
        }

        /** The figure named {@code field} (one of {@link #FIELDS}). */
        public long get(String field) {
            return values[FIELDS.indexOf(field)];
        }

        @Override
        public org.elasticsearch.xcontent.XContentBuilder toXContent(org.elasticsearch.xcontent.XContentBuilder builder, Params params)
            throws IOException {
            builder.startObject(getNode().getId());
            builder.field("name", getNode().getName());
            builder.startObject("recommend");
            fields(builder, "recommend.requests", "recommend.failures", "recommend.time_in_millis");
            builder.endObject();
            builder.startObject("ingest");
            fields(builder, "ingest.events_folded", "ingest.profile_conflicts");
            builder.startObject("profile_cache");
            fields(builder, "ingest.profile_cache.entries");
            builder.endObject().endObject();
            builder.startObject("train");
            fields(builder, "train.started", "train.failed");
            builder.endObject();
            builder.startObject("cache").startObject("item_factors");
            fields(builder, "cache.item_factors.entries", "cache.item_factors.size_in_bytes", "cache.item_factors.hits",
                "cache.item_factors.misses", "cache.item_factors.evictions");
            builder.endObject().startObject("fold_in_projections");
            fields(builder, "cache.fold_in_projections.entries");
            builder.endObject().endObject();
            return builder.endObject();
        }

        /** Each field under its last name, in the object open now. */
        private void fields(org.elasticsearch.xcontent.XContentBuilder builder, String... fields) throws IOException {
            for (String field : fields) {
                builder.field(field.substring(field.lastIndexOf('.') + 1), get(field));
            }
        }
    }

    public static final class Response extends BaseNodesXContentResponse<NodeResponse> {
        Response(ClusterName cluster, List<NodeResponse> nodes, List<FailedNodeException> failures) {
            super(cluster, nodes, failures);
        }

        @Override
        protected List<NodeResponse> readNodesFrom(StreamInput in) {
            throw new UnsupportedOperationException("a nodes response is built on the node that gathered it");
        }

        @Override
        protected void writeNodesTo(StreamOutput out, List<NodeResponse> nodes) {
            throw new UnsupportedOperationException("a nodes response is built on the node that gathered it");
        }

        @Override
        protected Iterator<? extends ToXContent> xContentChunks(ToXContent.Params params) {
            ToXContent open = (b, p) -> b.startObject("nodes");
            ToXContent close = (b, p) -> b.endObject();
            return Iterators.<ToXContent>concat(Iterators.single(open), getNodes().iterator(), Iterators.single(close));
        }
    }

    private final RecommendStats stats;
    private final ItemFactorCache itemFactors;

    @Inject
    public RecommendStatsAction(ClusterService clusterService, TransportService transportService, ActionFilters filters,
        RecommendStats stats, ItemFactorCache itemFactors) {
        // like _nodes/stats: gathered on the management pool, off the transport thread
        super(NAME, clusterService, transportService, filters, NodeRequest::new,
            transportService.getThreadPool().executor(ThreadPool.Names.MANAGEMENT));
        this.stats = stats;
        this.itemFactors = itemFactors;
    }

    @Override
    protected Response newResponse(Request request, List<NodeResponse> nodes, List<FailedNodeException> failures) {
        return new Response(clusterService.getClusterName(), nodes, failures);
    }

    @Override
    protected NodeRequest newNodeRequest(Request request) {
        return new NodeRequest();
    }

    @Override
    protected NodeResponse newNodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
        return new NodeResponse(in, node);
    }

    @Override
    protected NodeResponse nodeOperation(NodeRequest request, Task task) {
        RecommendStats.Counts counts = stats.counts();
        Cache.Stats cache = itemFactors.stats();
        long[] values = {
            counts.recommendRequests(), counts.recommendFailures(), counts.recommendMillis(),
            counts.eventsFolded(), counts.profileConflicts(), counts.profileCacheEntries(),
            counts.trainingsStarted(), counts.trainingsFailed(),
            itemFactors.size(), itemFactors.bytes(), cache.getHits(), cache.getMisses(), cache.getEvictions(), itemFactors.projections() };
        return new NodeResponse(clusterService.localNode(), values);
    }
}
