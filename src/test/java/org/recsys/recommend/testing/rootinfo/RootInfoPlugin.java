package org.recsys.recommend.testing.rootinfo;

import org.apache.lucene.util.SetOnce;
import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.ClusterState;
import org.elasticsearch.cluster.metadata.Metadata;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.elasticsearch.rest.RestRequest.Method.GET;
import static org.elasticsearch.rest.RestRequest.Method.HEAD;

/**
 * Test-only plugin: answers {@code GET /} as the full distribution's {@code rest-root} module does, which the
 * {@code integ-test-zip} lacks (it answers 405). Clients that ask a node who it is before anything else, like the
 * elasticsearch-hadoop connector (version and product check), need it. Never part of the recommend plugin's zip.
 *
 * <pre>
 * GET /
 * { "name": "recommend-node", "cluster_name": "recommend-test", "cluster_uuid": "…",
 *   "version": { "number": "9.5.4", "build_flavor": "default", "build_type": "zip", … }, "tagline": "You Know, for Search" }
 * </pre>
 */
public class RootInfoPlugin extends Plugin implements ActionPlugin {

    private final SetOnce<ClusterService> clusterService = new SetOnce<>();

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService.set(services.clusterService());
        return List.of();
    }

    @Override
    public Collection<RestHandler> getRestHandlers(
        RestHandlersServices restHandlersServices,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new RestRootInfoAction(clusterService::get));
    }

    /**
     * Reads the local cluster state directly instead of calling a transport action: the real module's
     * {@code cluster:monitor/main} action is not registered on this distribution.
     */
    static final class RestRootInfoAction extends BaseRestHandler {

        private final Supplier<ClusterService> clusterService;

        RestRootInfoAction(Supplier<ClusterService> clusterService) {
            this.clusterService = clusterService;
        }

        @Override
        public String getName() {
            return "root_info_action";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(GET, "/"), new Route(HEAD, "/"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
            return channel -> {
                ClusterService cluster = clusterService.get();
                ClusterState state = cluster.state();
                Build build = Build.current();
                XContentBuilder builder = channel.newBuilder();
                if (request.hasParam("pretty") == false) {
                    builder.prettyPrint().lfAtEnd(); // pretty unless asked otherwise, as the real one
                }
                builder.startObject()
                    .field("name", cluster.getNodeName())
                    .field("cluster_name", state.getClusterName().value())
                    .field("cluster_uuid", state.metadata().clusterUUIDCommitted() ? state.metadata().clusterUUID()
                        : Metadata.UNKNOWN_CLUSTER_UUID)
                    .startObject("version")
                    .field("number", build.qualifiedVersion())
                    .field("build_flavor", "default")
                    .field("build_type", build.type().displayName())
                    .field("build_hash", build.hash())
                    .field("build_date", build.date())
                    .field("build_snapshot", build.isSnapshot())
                    .field("lucene_version", IndexVersion.current().luceneVersion().toString())
                    .field("minimum_wire_compatibility_version", build.minWireCompatVersion())
                    .field("minimum_index_compatibility_version", build.minIndexCompatVersion())
                    .endObject()
                    .field("tagline", "You Know, for Search")
                    .endObject();
                channel.sendResponse(new RestResponse(RestStatus.OK, builder));
            };
        }

        @Override
        public boolean canTripCircuitBreaker() {
            return false;
        }
    }
}
