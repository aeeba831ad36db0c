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

/**
 * Where a model's user profiles live: the vector, the bounded history fold-in and the signals use (the oldest entries
 * dropped past {@code max_history}), and the seen set that keeps every item dropped from it, so that excluding what a user
 * has seen does not depend on how long the history may grow.
 */
public record UsersConfig(String index, String factors, String history, String seen, int maxHistory)
    implements
        Writeable,
        ToXContentObject {

    public static final int DEFAULT_MAX_HISTORY = 500;
    public static final int MAX_MAX_HISTORY = 10_000;

    static final ParseField INDEX = new ParseField("index");
    static final ParseField FACTORS = new ParseField("factors");
    static final ParseField HISTORY = new ParseField("history");
    static final ParseField SEEN = new ParseField("seen");
    /** Where a profile keeps the ids of the last events it took (not configurable: the plugin's own bookkeeping). */
    public static final String EVENT_IDS = "recommend_event_ids";
    static final ParseField MAX_HISTORY = new ParseField("max_history");

    public UsersConfig {
        RecommendModel.requireText("users.index", index);
        factors = factors == null ? "factors" : factors;
        history = history == null ? "history" : history;
        seen = seen == null ? "seen" : seen;
        if (maxHistory < 1 || maxHistory > MAX_MAX_HISTORY) {
            throw new IllegalArgumentException(
                "[users.max_history] must be between 1 and " + MAX_MAX_HISTORY + ", got [" + maxHistory + "]"
            );
        }
    }

    UsersConfig(StreamInput in) throws IOException {
        this(in.readString(), in.readString(), in.readString(), in.readString(), in.readVInt());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(index);
        out.writeString(factors);
        out.writeString(history);
        out.writeString(seen);
        out.writeVInt(maxHistory);
    }

    static UsersConfig fromXContent(XContentParser parser) throws IOException {
        Object[] values = { null, null, null, null, DEFAULT_MAX_HISTORY };
        ObjectParser<Object[], Void> objectParser = new ObjectParser<>("users");
        objectParser.declareString((v, s) -> v[0] = s, INDEX);
        objectParser.declareString((v, s) -> v[1] = s, FACTORS);
        objectParser.declareString((v, s) -> v[2] = s, HISTORY);
        objectParser.declareString((v, s) -> v[3] = s, SEEN);
        objectParser.declareInt((v, i) -> v[4] = i, MAX_HISTORY);
        objectParser.parse(parser, values, null);
        return new UsersConfig((String) values[0], (String) values[1], (String) values[2], (String) values[3], (Integer) values[4]);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        return builder.startObject()
            .field(INDEX.getPreferredName(), index)
            .field(FACTORS.getPreferredName(), factors)
            .field(HISTORY.getPreferredName(), history)
            .field(SEEN.getPreferredName(), seen)
            .field(MAX_HISTORY.getPreferredName(), maxHistory)
            .endObject();
    }
}
