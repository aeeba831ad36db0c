package org.recsys.recommend.model;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.List;

/** Where a model's items live: {@code { "index": "items", "factors": "factors", "neighbors": "neighbors", "content": [...] }}. */
public record ItemsConfig(String index, String factors, String neighbors, String popularity, List<String> content)
    implements
        Writeable,
        ToXContentObject {

    static final ParseField INDEX = new ParseField("index");
    static final ParseField FACTORS = new ParseField("factors");
    static final ParseField NEIGHBORS = new ParseField("neighbors");
    static final ParseField POPULARITY = new ParseField("popularity");
    static final ParseField CONTENT = new ParseField("content");

    public ItemsConfig {
        RecommendModel.requireText("items.index", index);
        factors = factors == null ? "factors" : factors;
        neighbors = neighbors == null ? "neighbors" : neighbors;
        popularity = popularity == null ? "popularity" : popularity;
        content = content == null ? List.of() : List.copyOf(content);
    }

    ItemsConfig(StreamInput in) throws IOException {
        this(in.readString(), in.readString(), in.readString(), in.readString(), in.readStringCollectionAsList());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(index);
        out.writeString(factors);
        out.writeString(neighbors);
        out.writeString(popularity);
        out.writeStringCollection(content);
    }

    static ItemsConfig fromXContent(XContentParser parser) throws IOException {
        String[] values = new String[4];
        List<List<String>> content = new java.util.ArrayList<>(List.of(List.of()));
        ObjectParser<String[], Void> objectParser = new ObjectParser<>("items");
        objectParser.declareString((v, s) -> v[0] = s, INDEX);
        objectParser.declareString((v, s) -> v[1] = s, FACTORS);
        objectParser.declareString((v, s) -> v[2] = s, NEIGHBORS);
        objectParser.declareString((v, s) -> v[3] = s, POPULARITY);
        objectParser.declareStringArray((v, s) -> content.set(0, s), CONTENT);
        objectParser.parse(parser, values, null);
        return new ItemsConfig(values[0], values[1], values[2], values[3], content.get(0));
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        return builder.startObject()
            .field(INDEX.getPreferredName(), index)
            .field(FACTORS.getPreferredName(), factors)
            .field(NEIGHBORS.getPreferredName(), neighbors)
            .field(POPULARITY.getPreferredName(), popularity)
            .stringListField(CONTENT.getPreferredName(), content)
            .endObject();
    }
}
