package org.recsys.recommend.train;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;

import java.io.IOException;
import java.util.List;

/**
 * The {@code content} section of {@code _train}: which item fields feed the content → factor map and how it is fitted.
 * {@code lambda} 3 and {@code min_items} 2 are what P1's cold-start measurement chose on items kept aside.
 */
public record ContentMapSpec(List<String> fields, double lambda, int minItems, int maxFeatures) implements Writeable {

    public static final double DEFAULT_LAMBDA = 3;
    public static final int DEFAULT_MIN_ITEMS = 2;
    public static final int DEFAULT_MAX_FEATURES = 2000;
    public static final int MAX_FEATURES = 4000;

    public ContentMapSpec {
        fields = List.copyOf(fields);
        if (Double.isFinite(lambda) == false || lambda <= 0) {
            throw new IllegalArgumentException("[content.lambda] must be a finite number > 0, got [" + lambda + "]");
        }
        if (minItems < 1) {
            throw new IllegalArgumentException("[content.min_items] must be >= 1, got [" + minItems + "]");
        }
        // the fit solves a dense (features + 1)² system in doubles: 4,000 features is 128 MB of heap and a few seconds
        if (maxFeatures < 1 || maxFeatures > MAX_FEATURES) {
            throw new IllegalArgumentException(
                "[content.max_features] must be between 1 and " + MAX_FEATURES + ", got [" + maxFeatures + "]"
            );
        }
    }

    public ContentMapSpec(StreamInput in) throws IOException {
        this(in.readStringCollectionAsList(), in.readDouble(), in.readVInt(), in.readVInt());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeStringCollection(fields);
        out.writeDouble(lambda);
        out.writeVInt(minItems);
        out.writeVInt(maxFeatures);
    }
}
