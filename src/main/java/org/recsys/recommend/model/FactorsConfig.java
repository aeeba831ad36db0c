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
 * The factorization's shape and implicit-ALS hyper-parameters: k, regularization λ, confidence scale α (c = 1 + α r), and
 * how λ applies: {@code constant} (every user and item by λ) or {@code weighted} (each by λ times its number of
 * interactions, ALS-WR, as Spark MLlib's ALS does: what fold-in must use for factors trained there).
 * {@code lambdaAuto}: λ was not given, so each {@code _train} derives it from its events (a share of the confidence mass
 * per row, which grows with the data) and stores it here, where fold-in reads it; until a training has, λ is
 * {@value #DEFAULT_LAMBDA}.
 */
public record FactorsConfig(int dims, double lambda, double alpha, boolean lambdaAuto, boolean weighted)
    implements
        Writeable,
        ToXContentObject {

    public static final double DEFAULT_LAMBDA = 0.1;
    public static final double DEFAULT_ALPHA = 10.0;
    public static final String CONSTANT = "constant";
    public static final String WEIGHTED = "weighted";

    static final ParseField DIMS = new ParseField("dims");
    static final ParseField LAMBDA = new ParseField("lambda");
    static final ParseField ALPHA = new ParseField("alpha");
    static final ParseField LAMBDA_AUTO = new ParseField("lambda_auto");
    static final ParseField REGULARIZATION = new ParseField("regularization");

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

    public FactorsConfig(int dims, double lambda, double alpha) {
        this(dims, lambda, alpha, false, false);
    }

    /** The same configuration with another λ (derived or tuned), the regularization mode kept. */
    public FactorsConfig withLambda(double newLambda, double newAlpha, boolean auto) {
        return new FactorsConfig(dims, newLambda, newAlpha, auto, weighted);
    }

    FactorsConfig(StreamInput in) throws IOException {
        this(in.readVInt(), in.readDouble(), in.readDouble(), in.readBoolean(), in.readBoolean());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeVInt(dims);
        out.writeDouble(lambda);
        out.writeDouble(alpha);
        out.writeBoolean(lambdaAuto);
        out.writeBoolean(weighted);
    }

    static FactorsConfig fromXContent(XContentParser parser) throws IOException {
        Draft draft = PARSER.parse(parser, new Draft(), null);
        if (draft.dims < 0) {
            throw new IllegalArgumentException("[factors.dims] is required");
        }
        boolean auto = draft.lambdaAuto != null ? draft.lambdaAuto : draft.lambda == null;
        if (CONSTANT.equals(draft.regularization) == false && WEIGHTED.equals(draft.regularization) == false) {
            throw new IllegalArgumentException("[factors.regularization] must be one of [" + CONSTANT + ", " + WEIGHTED + "], got ["
                + draft.regularization + "]");
        }
        return new FactorsConfig(draft.dims, draft.lambda == null ? DEFAULT_LAMBDA : draft.lambda, draft.alpha, auto,
            WEIGHTED.equals(draft.regularization));
    }

    private static final ObjectParser<Draft, Void> PARSER = new ObjectParser<>("factors");

    static {
        PARSER.declareInt((d, v) -> d.dims = v, DIMS);
        PARSER.declareDouble((d, v) -> d.lambda = v, LAMBDA);
        PARSER.declareDouble((d, v) -> d.alpha = v, ALPHA);
        PARSER.declareBoolean((d, v) -> d.lambdaAuto = v, LAMBDA_AUTO);
        PARSER.declareString((d, v) -> d.regularization = v, REGULARIZATION);
    }

    private static final class Draft {
        int dims = -1;
        Double lambda;
        double alpha = DEFAULT_ALPHA;
        Boolean lambdaAuto;
        String regularization = CONSTANT;
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        return builder.startObject()
            .field(DIMS.getPreferredName(), dims)
            .field(LAMBDA.getPreferredName(), lambda)
            .field(ALPHA.getPreferredName(), alpha)
            .field(LAMBDA_AUTO.getPreferredName(), lambdaAuto)
            .field(REGULARIZATION.getPreferredName(), weighted ? WEIGHTED : CONSTANT)
            .endObject();
    }
}
