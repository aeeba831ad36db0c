package org.recsys.recommend.model;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.xcontent.ConstructingObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import static org.elasticsearch.xcontent.ConstructingObjectParser.constructorArg;
import static org.elasticsearch.xcontent.ConstructingObjectParser.optionalConstructorArg;

/**
 * What {@code _refresh} derives from the item index: the item Gramian G = YᵀY (row-major k × k) that exact fold-in needs,
 * how many item vectors it covers, and when it was computed; and which of the model's two field sets ({@link ModelFields})
 * holds the version served, the one this Gramian was computed over.
 */
public record ModelState(double[] gramian, long items, long refreshedAtMillis, int slot) implements Writeable, ToXContentObject {

    static final ParseField GRAMIAN = new ParseField("gramian");
    static final ParseField ITEMS = new ParseField("items");
    static final ParseField REFRESHED_AT = new ParseField("refreshed_at_millis");
    static final ParseField SLOT = new ParseField("slot");

    @SuppressWarnings("unchecked")
    private static final ConstructingObjectParser<ModelState, Void> PARSER = new ConstructingObjectParser<>(
        "model_state",
        false,
        args -> new ModelState(((List<Double>) args[0]).stream().mapToDouble(Double::doubleValue).toArray(), (Long) args[1], (Long) args[2],
            args[3] == null ? 0 : (Integer) args[3]) // a state stored before slots existed served the configured fields
    );

    static {
        PARSER.declareDoubleArray(constructorArg(), GRAMIAN);
        PARSER.declareLong(constructorArg(), ITEMS);
        PARSER.declareLong(constructorArg(), REFRESHED_AT);
        PARSER.declareInt(optionalConstructorArg(), SLOT);
    }

    public ModelState {
        gramian = gramian.clone();
        if (slot < 0 || slot >= ModelFields.SLOTS) {
            throw new IllegalArgumentException("[state.slot] must be 0 or 1, got [" + slot + "]");
        }
    }

    public ModelState(StreamInput in) throws IOException {
        this(in.readDoubleArray(), in.readVLong(), in.readLong(), in.readVInt());
    }

    public static ModelState fromXContent(XContentParser parser) throws IOException {
        return PARSER.parse(parser, null);
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeDoubleArray(gramian);
        out.writeVLong(items);
        out.writeLong(refreshedAtMillis);
        out.writeVInt(slot);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        if (params.paramAsBoolean(RecommendModel.INCLUDE_GRAMIAN_PARAM, true)) {
            builder.array(GRAMIAN.getPreferredName(), gramian);
        }
        builder.field(ITEMS.getPreferredName(), items);
        builder.field(REFRESHED_AT.getPreferredName(), refreshedAtMillis);
        builder.field(SLOT.getPreferredName(), slot);
        return builder.endObject();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelState other
            && Arrays.equals(gramian, other.gramian)
            && items == other.items
            && refreshedAtMillis == other.refreshedAtMillis
            && slot == other.slot;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(gramian), items, refreshedAtMillis, slot);
    }
}
