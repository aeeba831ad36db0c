package org.recsys.recommend.ingest;

import org.elasticsearch.cluster.ClusterChangedEvent;
import org.elasticsearch.cluster.ClusterStateListener;
import org.elasticsearch.index.Index;
import org.recsys.recommend.model.ModelMetadata;
import org.recsys.recommend.model.RecommendModel;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Runs on every node for every cluster state: when a model's state changes (a {@code _train} or {@code _refresh} stored a
 * new Gramian, on whichever node it ran) or the model goes, that node's cached factors of the model's items are dropped.
 * Without it a node kept serving fold-ins with old item vectors against the new Gramian until its entries expired.
 */
public final class ModelStateChanges implements ClusterStateListener {

    private final ItemFactorCache factors;
    private final Executor executor; // the walk over the cache's keys does not run on the cluster-state applier thread

    public ModelStateChanges(ItemFactorCache factors, Executor executor) {
        this.factors = factors;
        this.executor = executor;
    }

    @Override
    public void clusterChanged(ClusterChangedEvent event) {
        if (event.metadataChanged() == false) {
            return;
        }
        ModelMetadata before = models(event.previousState().metadata().getProject().custom(ModelMetadata.TYPE));
        ModelMetadata after = models(event.state().metadata().getProject().custom(ModelMetadata.TYPE));
        if (before == after) {
            return;
        }
        for (RecommendModel old : before.models().values()) {
            RecommendModel now = after.get(old.id());
            if (now == null) {
                ModelFoldIn.forget(old.id());
            }
            if (now == null || Objects.equals(old.state(), now.state()) == false || old.items().equals(now.items()) == false) {
                Index concrete = factors.concrete(old.items().index());
                if (concrete != null && factors.stopCaching(concrete)) {
                    executor.execute(() -> factors.dropEntries(concrete));
                }
            }
        }
    }

    private static ModelMetadata models(ModelMetadata custom) {
        return custom == null ? ModelMetadata.EMPTY : custom;
    }
}
