package org.recsys.recommend;

import org.elasticsearch.action.admin.cluster.node.info.NodesInfoResponse;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.test.ESIntegTestCase;

import java.util.Collection;
import java.util.List;

/** The plugin loads into the test framework's internal cluster (the fast path between unit and real-node tests). */
@ESIntegTestCase.ClusterScope(scope = ESIntegTestCase.Scope.SUITE, numDataNodes = 1)
public class RecommendPluginInternalClusterTests extends ESIntegTestCase {

    @Override
    protected Collection<Class<? extends Plugin>> nodePlugins() {
        return List.of(RecommendPlugin.class);
    }

    public void testPluginIsLoadedOnEveryNode() {
        NodesInfoResponse info = clusterAdmin().prepareNodesInfo().setPlugins(true).get();
        assertFalse(info.getNodes().isEmpty());
        info.getNodes().forEach(node -> {
            List<String> classes = node.getInfo(org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules.class)
                .getPluginInfos()
                .stream()
                .map(p -> p.descriptor().getClassname())
                .toList();
            assertTrue(classes.toString(), classes.contains(RecommendPlugin.class.getName()));
        });
    }

}
