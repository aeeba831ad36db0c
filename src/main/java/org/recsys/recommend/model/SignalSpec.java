package org.recsys.recommend.model;

import org.elasticsearch.common.Strings;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.recsys.recommend.math.Normalization;
import org.recsys.recommend.math.Vectors;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * One signal of the blend: which field(s) it reads, its weight, and how its raw value is normalized. {@code explicit} is
 * false for the defaults used when a query names no signals: those are skipped when the index lacks their field.
 */
public record SignalSpec(
    SignalKind kind,
    List<String> fields,
    double weight,
    Normalization normalization,
    double pivot,
    boolean explicit
) implements Writeable, ToXContentObject {

    static final ParseField FIELD = new ParseField("field");
    static final ParseField FIELDS = new ParseField("fields");
    static final ParseField WEIGHT = new ParseField("weight");
    static final ParseField NORMALIZATION = new ParseField("normalization");
    static final ParseField PIVOT = new ParseField("pivot");

    public SignalSpec {
        Objects.requireNonNull(kind);
        String name = "signals." + kind.jsonName();
        fields = List.copyOf(fields);
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("[" + name + "] needs [" + (kind == SignalKind.CONTENT ? "fields" : "field") + "]");
        }
        if (kind != SignalKind.CONTENT && fields.size() != 1) {
            throw new IllegalArgumentException("[" + name + "] reads exactly one [field], got " + fields);
        }
        for (String field : fields) {
            if (field == null || Strings.hasText(field) == false) {
                throw new IllegalArgumentException("[" + name + "] field names must be non-empty strings");
            }
        }
        if (Double.isFinite(weight) == false || weight < 0 || weight > Vectors.MAX_MAGNITUDE) {
            throw new IllegalArgumentException("[" + name + ".weight] must be a number between 0 and " + (long) Vectors.MAX_MAGNITUDE
                + ", got [" + weight + "]");
        }
        if (Vectors.positiveAndBounded(pivot) == false) {
            throw new IllegalArgumentException("[" + name + ".pivot] must be a number > 0 and at most " + (long) Vectors.MAX_MAGNITUDE
                + ", got [" + pivot + "]");
        }
        Objects.requireNonNull(normalization);
    }

    /** The default for {@code kind} (not for content, which needs fields). */
    public static SignalSpec defaultFor(SignalKind kind) {
        List<String> fields = List.of(kind.defaultField());
        return new SignalSpec(kind, fields, kind.defaultWeight(), kind.defaultNormalization(), kind.defaultPivot(), false);
    }

    public SignalSpec(StreamInput in) throws IOException {
        this(
            in.readEnum(SignalKind.class),
            in.readStringCollectionAsList(),
            in.readDouble(),
            in.readEnum(Normalization.class),
            in.readDouble(),
            in.readBoolean()
        );
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeEnum(kind);
        out.writeStringCollection(fields);
        out.writeDouble(weight);
        out.writeEnum(normalization);
        out.writeDouble(pivot);
        out.writeBoolean(explicit);
    }

    public String field() {
        return fields.get(0);
    }

    /** This signal reading {@code field} instead (not for content, which reads several). */
    public SignalSpec onField(String field) {
        return field.equals(field()) ? this : new SignalSpec(kind, List.of(field), weight, normalization, pivot, explicit);
    }

    public String jsonPath() {
        return "signals." + kind.jsonName();
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        if (kind == SignalKind.CONTENT) {
            builder.field(FIELDS.getPreferredName(), fields);
        } else {
            builder.field(FIELD.getPreferredName(), field());
        }
        builder.field(WEIGHT.getPreferredName(), weight);
        builder.field(NORMALIZATION.getPreferredName(), normalization.jsonName());
        builder.field(PIVOT.getPreferredName(), pivot);
        return builder.endObject();
    }

    /** Parses one signal's object; the parser is on its START_OBJECT. */
    public static SignalSpec fromXContent(SignalKind kind, XContentParser parser) throws IOException {
        Draft draft = new Draft(kind);
        ObjectParser<Draft, Void> objectParser = new ObjectParser<>(kind.jsonName());
        if (kind == SignalKind.CONTENT) {
            objectParser.declareStringArray((d, v) -> d.fields = v, FIELDS);
        } else {
            objectParser.declareString((d, v) -> d.fields = List.of(v), FIELD);
        }
        objectParser.declareDouble((d, v) -> d.weight = v, WEIGHT);
        String normalizationPath = "signals." + kind.jsonName() + ".normalization";
        objectParser.declareString((d, v) -> d.normalization = Normalization.fromJson(normalizationPath, v), NORMALIZATION);
        objectParser.declareDouble((d, v) -> d.pivot = v, PIVOT);
        objectParser.parse(parser, draft, null);
        return new SignalSpec(kind, draft.fields, draft.weight, draft.normalization, draft.pivot, true);
    }

    /** Mutable holder while parsing; the record's constructor validates the result. */
    private static final class Draft {
        List<String> fields;
        double weight;
        Normalization normalization;
        double pivot;

        Draft(SignalKind kind) {
            this.fields = kind.defaultField() == null ? List.of() : List.of(kind.defaultField());
            this.weight = kind.defaultWeight();
            this.normalization = kind.defaultNormalization();
            this.pivot = kind.defaultPivot();
        }
    }
}
