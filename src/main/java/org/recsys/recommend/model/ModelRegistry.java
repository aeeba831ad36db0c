package org.recsys.recommend.model;

import org.elasticsearch.cluster.ClusterState;
import org.elasticsearch.cluster.metadata.ProjectMetadata;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.ResourceNotFoundException;

/**
 * Reads models from the local copy of the cluster state: an in-memory lookup, current on every node as soon as a change
 * is published, so it is safe on hot paths (query parsing, ingest).
 */
public final class ModelRegistry {

    private final ClusterService clusterService;

    public ModelRegistry(ClusterService clusterService) {
        this.clusterService = clusterService;
    }

    public static ModelMetadata models(ProjectMetadata project) {
        ModelMetadata models = project.custom(ModelMetadata.TYPE);
        return models == null ? ModelMetadata.EMPTY : models;
    }

    public static ModelMetadata models(ClusterState state) {
        return models(state.metadata().getProject());
    }

    /** The model, or a 404-style error naming it. */
    public RecommendModel get(String id) {
        RecommendModel model = models(clusterService.state()).get(id);
        if (model == null) {
            throw new ResourceNotFoundException("[model] unknown recommend model [" + id + "]");
        }
        return model;
    }

    /** The model, or null when there is none of that name. */
    public RecommendModel getOrNull(String id) {
        return models(clusterService.state()).get(id);
    }

    /** The model, or a 400-style error naming the field that referred to it. */
    public RecommendModel getForField(String field, String id) {
        RecommendModel model = models(clusterService.state()).get(id);
        if (model == null) {
            throw new IllegalArgumentException("[" + field + "] unknown recommend model [" + id + "]");
        }
        return model;
    }
}
