package org.recsys.recommend;

import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.IngestPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.SearchPlugin;
import org.elasticsearch.rest.RestHandler;
import org.recsys.recommend.query.RecommendQueryBuilder;
import org.recsys.recommend.rest.RestRecommendInfoAction;

import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Entry point of the recommend plugin: registers the query, the REST endpoints and (in later work) the ingest processor.
 */
public class RecommendPlugin extends Plugin implements SearchPlugin, ActionPlugin, IngestPlugin {

    @Override
    public List<QuerySpec<?>> getQueries() {
        return List.of(new QuerySpec<>(RecommendQueryBuilder.NAME, RecommendQueryBuilder::new, RecommendQueryBuilder::fromXContent));
    }

    @Override
    public Collection<RestHandler> getRestHandlers(
        RestHandlersServices restHandlersServices,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new RestRecommendInfoAction());
    }
}
