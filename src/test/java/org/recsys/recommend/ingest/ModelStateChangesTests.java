package org.recsys.recommend.ingest;

import org.elasticsearch.cluster.ClusterChangedEvent;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.cluster.ClusterState;
import org.elasticsearch.cluster.metadata.Metadata;
import org.elasticsearch.cluster.metadata.ProjectId;
import org.elasticsearch.cluster.metadata.ProjectMetadata;
import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.test.ESTestCase;
import org.recsys.recommend.model.FactorsConfig;
import org.recsys.recommend.model.ItemsConfig;
import org.recsys.recommend.model.ModelMetadata;
import org.recsys.recommend.model.ModelState;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.model.UsersConfig;

import java.util.List;
import java.util.Map;

/** A model deleted from the cluster state takes its fold-in solver with it. */
public class ModelStateChangesTests extends ESTestCase {

    public void testADeletedModelsSolverIsDropped() {
        RecommendModel model = new RecommendModel("fold", new ItemsConfig("items", null, null, null, List.of()),
            new UsersConfig("users", null, null, null, 10), new FactorsConfig(2, 0.5, 1), null,
            new ModelState(new double[] { 2, 0, 0, 3 }, 2, 0, 0));
        ItemFactorCache cache = new ItemFactorCache(ByteSizeValue.ofKb(10), TimeValue.timeValueMinutes(5), ByteSizeValue.ofKb(1),
            index -> null);
        History history = History.empty();
        ModelFoldIn.vectorFor(model, history, Map.of(), cache);
        assertTrue("a fold-in keeps the model's solver", ModelFoldIn.holds("fold"));

        ClusterState with = state(new ModelMetadata(Map.of("fold", model)));
        ClusterState without = state(new ModelMetadata(Map.of()));
        new ModelStateChanges(cache, Runnable::run).clusterChanged(new ClusterChangedEvent("test", with, with));
        assertTrue("an unrelated change keeps it", ModelFoldIn.holds("fold"));
        new ModelStateChanges(cache, Runnable::run).clusterChanged(new ClusterChangedEvent("delete", without, with));
        assertFalse("the model's deletion drops it", ModelFoldIn.holds("fold"));
    }

    private static ClusterState state(ModelMetadata models) {
        ProjectMetadata project = ProjectMetadata.builder(ProjectId.DEFAULT).putCustom(ModelMetadata.TYPE, models).build();
        return ClusterState.builder(ClusterName.DEFAULT).metadata(Metadata.builder().put(project).build()).build();
    }
}
