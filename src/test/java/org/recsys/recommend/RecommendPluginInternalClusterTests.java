package org.recsys.recommend;

import org.elasticsearch.action.admin.cluster.node.info.NodesInfoResponse;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.test.ESIntegTestCase;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.recsys.recommend.action.PutModelAction;
import org.recsys.recommend.action.RefreshModelAction;
import org.recsys.recommend.ingest.ItemFactorCache;
import org.recsys.recommend.model.RecommendModel;

import java.util.Collection;
import java.util.List;

import static org.elasticsearch.test.hamcrest.ElasticsearchAssertions.assertAcked;

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


    public void testRefreshFillsTheItemFactorCacheWithTheFactorsItScans() throws Exception {
        assertAcked(indicesAdmin().prepareCreate("ic_items").setMapping(
            "{\"properties\":{\"factors\":{\"type\":\"dense_vector\",\"dims\":4,\"similarity\":\"max_inner_product\"}}}"));
        int withFactors = randomIntBetween(3, 20);
        for (int i = 0; i < withFactors; i++) {
            prepareIndex("ic_items").setId("i" + i).setSource("factors", new float[] { i, 1, 2, 3 }).get();
        }
        prepareIndex("ic_items").setId("cold").setSource("title", "no factors yet").get();
        refresh("ic_items");
        String body = "{\"items\":{\"index\":\"ic_items\"},\"users\":{\"index\":\"ic_users\"},\"factors\":{\"dims\":4}}";
        RecommendModel model;
        try (XContentParser parser = createParser(JsonXContent.jsonXContent, body)) {
            model = RecommendModel.fromXContent("ic", parser, false);
        }
        TimeValue timeout = TimeValue.THIRTY_SECONDS;
        assertAcked(client().execute(PutModelAction.TYPE, new PutModelAction.Request(timeout, timeout, model)).get());
        String node = internalCluster().getRandomNodeName(); // the node that runs the refresh is the one whose cache fills
        ItemFactorCache cache = internalCluster().getInstance(ItemFactorCache.class, node);
        long before = cache.size();
        client(node).execute(RefreshModelAction.TYPE, new RefreshModelAction.Request("ic")).get();
        assertEquals("every item with factors, not the cold one", before + withFactors, cache.size());
    }
}
