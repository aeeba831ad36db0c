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

/** The factorization's shape and implicit-ALS hyper-parameters: k, regularization λ, confidence scale α (c = 1 + α r). */
public record FactorsConfig(int dims, double lambda, double alpha) implements Writeable, ToXContentObject {

    public static final double DEFAULT_LAMBDA = 0.1;
    public static final double DEFAULT_ALPHA = 10.0;

    static final ParseField DIMS = new ParseField("dims");
    static final ParseField LAMBDA = new ParseField("lambda");
    static final ParseField ALPHA = new ParseField("alpha");

    public FactorsConfig {
        if (dims < 1 || dims > RecommendModel.MAX_DIMS) {
            throw new IllegalArgumentException("[factors.dims] must be between 1 and " + RecommendModel.MAX_DIMS + ", got [" + dims + "]");
        }
        if (Double.isFinite(lambda) == false || lambda <= 0) {
            throw new IllegalArgumentException("[factors.lambda] must be a finite number > 0, got [" + lambda + "]");
        }
        if (Double.isFinite(alpha) == false || alpha < 0) {
            throw new IllegalArgumentException("[factors.alpha] must be a finite number >= 0, got [" + alpha + "]");
        }
    }

    FactorsConfig(StreamInput in) throws IOException {
        this(in.readVInt(), in.readDouble(), in.readDouble());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeVInt(dims);
        out.writeDouble(lambda);
        out.writeDouble(alpha);
    }

    static FactorsConfig fromXContent(XContentParser parser) throws IOException {
        double[] values = { -1, DEFAULT_LAMBDA, DEFAULT_ALPHA };
        ObjectParser<double[], Void> objectParser = new ObjectParser<>("factors");
        objectParser.declareInt((v, i) -> v[0] = i, DIMS);
        objectParser.declareDouble((v, d) -> v[1] = d, LAMBDA);
        objectParser.declareDouble((v, d) -> v[2] = d, ALPHA);
        objectParser.parse(parser, values, null);
        if (values[0] < 0) {
            throw new IllegalArgumentException("[factors.dims] is required");
        }
        return new FactorsConfig((int) values[0], values[1], values[2]);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        return builder.startObject()
            .field(DIMS.getPreferredName(), dims)
            .field(LAMBDA.getPreferredName(), lambda)
            .field(ALPHA.getPreferredName(), alpha)
            .endObject();
    }
}
