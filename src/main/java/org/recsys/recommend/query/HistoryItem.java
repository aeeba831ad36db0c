package org.recsys.recommend.query;

import org.elasticsearch.common.Strings;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.recsys.recommend.math.Vectors;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One interaction of a user's history: an item id and a positive, finite weight (1 when not given). */
public record HistoryItem(String item, float weight) implements Writeable, ToXContentObject {

    public HistoryItem {
        if (item == null || Strings.hasText(item) == false) {
            throw new IllegalArgumentException("[history] entries need a non-empty [item] id");
        }
        if (Vectors.positiveAndBounded(weight) == false) {
            throw new IllegalArgumentException("[history] entry [" + item + "] has [weight] [" + weight
                + "]; it must be a number > 0 and at most " + (long) Vectors.MAX_MAGNITUDE);
        }
    }

    public HistoryItem(StreamInput in) throws IOException {
        this(in.readString(), in.readFloat());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(item);
        out.writeFloat(weight);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        return builder.startObject().field("item", item).field("weight", weight).endObject();
    }

    /** Parses an array of ids or {@code {item, weight}} objects (the parser is on START_ARRAY). */
    public static List<HistoryItem> parseArray(XContentParser parser) throws IOException {
        if (parser.currentToken() != XContentParser.Token.START_ARRAY) {
            throw new IllegalArgumentException("[history] must be an array of item ids or {\"item\", \"weight\"} objects");
        }
        List<HistoryItem> items = new ArrayList<>();
        XContentParser.Token token;
        while ((token = parser.nextToken()) != XContentParser.Token.END_ARRAY) {
            if (token == XContentParser.Token.VALUE_STRING) {
                items.add(new HistoryItem(parser.text(), 1f));
            } else if (token == XContentParser.Token.START_OBJECT) {
                items.add(fromMap(parser.map()));
            } else {
                throw new IllegalArgumentException("[history] entries must be item ids or objects, got [" + token + "]");
            }
        }
        return items;
    }

    /**
     * Reads a history as stored in a profile document's {@code _source}: a list of ids or of maps with {@code item} and an
     * optional {@code weight}; other keys (such as {@code ts}) are ignored there.
     */
    public static List<HistoryItem> fromSource(String field, Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            List<HistoryItem> items = new ArrayList<>(list.size());
            for (Object entry : list) {
                if (entry instanceof String id) {
                    items.add(new HistoryItem(id, 1f));
                } else if (entry instanceof Map<?, ?> map) {
                    Object item = map.get("item");
                    Object weight = map.get("weight");
                    if (item == null || (weight != null && weight instanceof Number == false)) {
                        throw new IllegalArgumentException(
                            "[" + field + "] entry " + map + " needs a string [item] and a numeric [weight]"
                        );
                    }
                    items.add(new HistoryItem(item.toString(), weight == null ? 1f : ((Number) weight).floatValue()));
                } else {
                    throw new IllegalArgumentException("[" + field + "] entries must be ids or objects, got [" + entry + "]");
                }
            }
            return items;
        }
        throw new IllegalArgumentException("[" + field + "] must be an array, got [" + value + "]");
    }

    private static HistoryItem fromMap(Map<String, Object> map) {
        Map<String, Object> rest = new LinkedHashMap<>(map);
        Object item = rest.remove("item");
        Object weight = rest.remove("weight");
        if (rest.isEmpty() == false) {
            throw new IllegalArgumentException("[history] entry has unknown keys " + rest.keySet() + "; expected [item] and [weight]");
        }
        if (item instanceof String == false) {
            throw new IllegalArgumentException("[history] entry [item] must be a string, got [" + item + "]");
        }
        if (weight != null && weight instanceof Number == false) {
            throw new IllegalArgumentException("[history] entry [" + item + "] has [weight] [" + weight + "]; it must be a number");
        }
        return new HistoryItem((String) item, weight == null ? 1f : ((Number) weight).floatValue());
    }
}
