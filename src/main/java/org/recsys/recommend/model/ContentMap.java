package org.recsys.recommend.model;

import org.elasticsearch.common.xcontent.support.XContentMapValues;
import org.recsys.recommend.math.ContentFeatures;
import org.recsys.recommend.math.ContentToFactors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's content → factor map as trained by {@code _train}: the content fields it reads, its feature vocabulary and
 * its ridge weights. Stored as one document per model and slot ({@link #documentId}) in the {@value #INDEX} index (hidden,
 * nothing indexed, the weights as base64 little-endian floats), because at 2,000 features × 64 factors it is far too large
 * for the cluster state. A map belongs to the factors of the slot it was fitted on: a training stores it beside the served
 * one, and it is used once the training switches to that slot.
 */
public record ContentMap(List<String> fields, ContentFeatures features, ContentToFactors map, long trainedAtMillis) {

    public static final String INDEX = "recommend-content-maps";

    /** The map's document: the model id and the slot, {@code #} between (the suffix has one form, so ids never collide). */
    public static String documentId(String modelId, int slot) {
        return modelId + "#" + slot;
    }

    /** The factors for an item with this content ({@code field → values}), or null when it has no known feature. */
    public float[] factorsFor(Map<String, List<String>> content) {
        int[] known = features.encode(content);
        return known.length == 0 ? null : map.apply(known);
    }

    public Map<String, Object> toSource() {
        float[][] weights = map.weights();
        ByteBuffer bytes = ByteBuffer.allocate(weights.length * weights[0].length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : weights) {
            for (float w : row) {
                bytes.putFloat(w);
            }
        }
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("fields", fields);
        source.put("vocabulary", features.vocabulary());
        source.put("rows", weights.length);
        source.put("dims", weights[0].length);
        source.put("weights", Base64.getEncoder().encodeToString(bytes.array()));
        source.put("trained_at_millis", trainedAtMillis);
        return source;
    }

    @SuppressWarnings("unchecked")
    public static ContentMap fromSource(Map<String, Object> source) {
        List<String> fields = new ArrayList<>((List<String>) source.get("fields"));
        List<String> vocabulary = (List<String>) source.get("vocabulary");
        int rows = ((Number) source.get("rows")).intValue();
        int dims = ((Number) source.get("dims")).intValue();
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode((String) source.get("weights"))).order(ByteOrder.LITTLE_ENDIAN);
        if (rows != vocabulary.size() + 1 || bytes.remaining() != rows * dims * Float.BYTES) {
            throw new IllegalStateException("content map has " + rows + " rows for " + vocabulary.size() + " features: it is corrupt");
        }
        float[][] weights = new float[rows][dims];
        for (float[] row : weights) {
            for (int c = 0; c < dims; c++) {
                row[c] = bytes.getFloat();
            }
        }
        long trainedAt = ((Number) source.get("trained_at_millis")).longValue();
        return new ContentMap(fields, new ContentFeatures(vocabulary), new ContentToFactors(weights), trainedAt);
    }

    /** Reads a document's content fields as {@code field → string values} (a missing field has none). */
    public static Map<String, List<String>> contentOf(List<String> fields, Map<String, Object> source) {
        Map<String, List<String>> content = new LinkedHashMap<>();
        for (String field : fields) {
            content.put(field, valuesOf(XContentMapValues.extractValue(field, source))); // dotted paths reach into objects
        }
        return content;
    }

    /** A field's value as strings: a list's elements, a single value, or nothing. */
    public static List<String> valuesOf(Object value) {
        List<String> values = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(v -> values.add(String.valueOf(v)));
        } else if (value != null) {
            values.add(String.valueOf(value));
        }
        return values;
    }
}
