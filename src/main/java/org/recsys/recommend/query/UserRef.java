package org.recsys.recommend.query;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.common.Strings;
import org.elasticsearch.xcontent.ConstructingObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;

import static org.elasticsearch.xcontent.ConstructingObjectParser.constructorArg;
import static org.elasticsearch.xcontent.ConstructingObjectParser.optionalConstructorArg;

/**
 * Where a user's profile lives:
 * {@code { "index": "users", "id": "u42", "vector_field": "factors", "history_field": "history", "seen_field": "seen" }}.
 */
public record UserRef(String index, String id, String vectorField, String historyField, String seenField)
    implements
        Writeable,
        ToXContentObject {

    public static final String DEFAULT_VECTOR_FIELD = "factors";
    public static final String DEFAULT_HISTORY_FIELD = "history";
    public static final String DEFAULT_SEEN_FIELD = "seen";

    static final ParseField INDEX = new ParseField("index");
    static final ParseField ID = new ParseField("id");
    static final ParseField VECTOR_FIELD = new ParseField("vector_field");
    static final ParseField HISTORY_FIELD = new ParseField("history_field");
    static final ParseField SEEN_FIELD = new ParseField("seen_field");

    private static final ConstructingObjectParser<UserRef, Void> PARSER = new ConstructingObjectParser<>(
        "user",
        false,
        args -> new UserRef((String) args[0], (String) args[1], (String) args[2], (String) args[3], (String) args[4])
    );

    static {
        PARSER.declareString(constructorArg(), INDEX);
        PARSER.declareString(constructorArg(), ID);
        PARSER.declareString(optionalConstructorArg(), VECTOR_FIELD);
        PARSER.declareString(optionalConstructorArg(), HISTORY_FIELD);
        PARSER.declareString(optionalConstructorArg(), SEEN_FIELD);
    }

    public UserRef {
        requireText("user.index", index);
        requireText("user.id", id);
        vectorField = vectorField == null ? DEFAULT_VECTOR_FIELD : vectorField;
        historyField = historyField == null ? DEFAULT_HISTORY_FIELD : historyField;
        seenField = seenField == null ? DEFAULT_SEEN_FIELD : seenField;
        requireText("user.vector_field", vectorField);
        requireText("user.history_field", historyField);
        requireText("user.seen_field", seenField);
    }

    public UserRef(StreamInput in) throws IOException {
        this(in.readString(), in.readString(), in.readString(), in.readString(), in.readString());
    }

    public static UserRef fromXContent(XContentParser parser) throws IOException {
        return PARSER.parse(parser, null);
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(index);
        out.writeString(id);
        out.writeString(vectorField);
        out.writeString(historyField);
        out.writeString(seenField);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        return builder.startObject()
            .field(INDEX.getPreferredName(), index)
            .field(ID.getPreferredName(), id)
            .field(VECTOR_FIELD.getPreferredName(), vectorField)
            .field(HISTORY_FIELD.getPreferredName(), historyField)
            .field(SEEN_FIELD.getPreferredName(), seenField)
            .endObject();
    }

    private static void requireText(String field, String value) {
        if (value == null || Strings.hasText(value) == false) {
            throw new IllegalArgumentException("[" + field + "] must be a non-empty string");
        }
    }
}
