package org.recsys.recommend.model;

import org.elasticsearch.TransportVersion;
import org.elasticsearch.cluster.AbstractNamedDiffable;
import org.elasticsearch.cluster.NamedDiff;
import org.elasticsearch.cluster.metadata.Metadata;
import org.elasticsearch.common.collect.Iterators;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.xcontent.ToXContent;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * All models of a project, as custom cluster-state metadata: persisted with the cluster state (so models survive
 * restarts) and published to every node with each change (so no node serves a stale model or Gramian).
 */
public final class ModelMetadata extends AbstractNamedDiffable<Metadata.ProjectCustom> implements Metadata.ProjectCustom {

    public static final String TYPE = "recommend_models";
    public static final ModelMetadata EMPTY = new ModelMetadata(Map.of());

    private final Map<String, RecommendModel> models;

    public ModelMetadata(Map<String, RecommendModel> models) {
        this.models = Map.copyOf(models);
    }

    public ModelMetadata(StreamInput in) throws IOException {
        this(in.readMap(RecommendModel::new));
    }

    public static NamedDiff<Metadata.ProjectCustom> readDiffFrom(StreamInput in) throws IOException {
        return readDiffFrom(Metadata.ProjectCustom.class, TYPE, in);
    }

    public Map<String, RecommendModel> models() {
        return models;
    }

    public RecommendModel get(String id) {
        return models.get(id);
    }

    public ModelMetadata with(RecommendModel model) {
        Map<String, RecommendModel> next = new HashMap<>(models);
        next.put(model.id(), model);
        return new ModelMetadata(next);
    }

    public ModelMetadata without(String id) {
        Map<String, RecommendModel> next = new HashMap<>(models);
        next.remove(id);
        return new ModelMetadata(next);
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeMap(models, StreamOutput::writeWriteable);
    }

    public static ModelMetadata fromXContent(XContentParser parser) throws IOException {
        Map<String, RecommendModel> models = new HashMap<>();
        if (parser.currentToken() == null) {
            parser.nextToken();
        }
        XContentParser.Token token;
        while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
            if (token == XContentParser.Token.FIELD_NAME) {
                String id = parser.currentName();
                parser.nextToken();
                models.put(id, RecommendModel.fromXContent(id, parser, true));
            }
        }
        return new ModelMetadata(models);
    }

    @Override
    public Iterator<? extends ToXContent> toXContentChunked(ToXContent.Params params) {
        Map<String, RecommendModel> sorted = new TreeMap<>(models);
        return Iterators.map(sorted.entrySet().iterator(), e -> (builder, p) -> builder.field(e.getKey(), e.getValue(), p));
    }

    @Override
    public EnumSet<Metadata.XContentContext> context() {
        return Metadata.ALL_CONTEXTS;
    }

    @Override
    public String getWriteableName() {
        return TYPE;
    }

    @Override
    public TransportVersion getMinimalSupportedVersion() {
        return TransportVersion.minimumCompatible();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelMetadata other && models.equals(other.models);
    }

    @Override
    public int hashCode() {
        return models.hashCode();
    }
}
