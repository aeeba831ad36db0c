package org.recsys.recommend.train;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.List;

import static org.elasticsearch.index.query.AbstractQueryBuilder.parseTopLevelQuery;

/**
 * What {@code _train} reads and how it fits:
 *
 * <pre>
 * { "events": { "index": "events", "user": "user", "item": "item", "weight": "weight", "query": { … } },
 *   "als": { "factors": 64, "iterations": 15, "lambda": 0.1, "alpha": 10, "seed": 42, "cg_steps": 3 },
 *   "neighbors": { "k": 50, "similarity": "cosine" },          // or "ease" / "slim", with "lambda": 200
 *   "content": { "fields": ["title", "genres"], "lambda": 3, "min_items": 2, "max_features": 2000 },
 *   "tune": { "validation": 0.2 } }                            // choose λ, α, neighbors and the blend on a validation split
 * </pre>
 */
public record TrainSpec(
    String eventsIndex,
    String userField,
    String itemField,
    String weightField,
    QueryBuilder query,
    int factors,
    int iterations,
    double lambda,
    double alpha,
    long seed,
    int cgSteps,
    int neighbors,
    String neighborSimilarity, // "cosine" (item-kNN), "ease" or "slim"
    double neighborLambda,
    ContentMapSpec content, // null: no content → factor map
    TuneSpec tune, // null: train with the settings as given
    boolean lambdaFromData // λ neither in the request nor set on the model: derived from the events (see Trainer)
) implements Writeable {

    public static final String COSINE = "cosine";
    public static final String EASE = "ease";
    public static final String SLIM = "slim";
    public static final double DEFAULT_NEIGHBOR_LAMBDA = 200;

    public TrainSpec {
        if (eventsIndex == null || eventsIndex.isEmpty()) {
            throw new IllegalArgumentException("[events.index] is required");
        }
        if (iterations < 1 || iterations > 1000) {
            throw new IllegalArgumentException("[als.iterations] must be between 1 and 1000, got [" + iterations + "]");
        }
        if (cgSteps < 1 || cgSteps > 100) {
            throw new IllegalArgumentException("[als.cg_steps] must be between 1 and 100, got [" + cgSteps + "]");
        }
        if (Double.isFinite(lambda) == false || lambda <= 0) {
            throw new IllegalArgumentException("[als.lambda] must be a finite number > 0, got [" + lambda + "]");
        }
        if (Double.isFinite(alpha) == false || alpha < 0) {
            throw new IllegalArgumentException("[als.alpha] must be a finite number >= 0, got [" + alpha + "]");
        }
        if (neighbors < 0 || neighbors > 1000) {
            throw new IllegalArgumentException("[neighbors.k] must be between 0 and 1000, got [" + neighbors + "]");
        }
        if (neighborSimilarity == null || List.of(COSINE, EASE, SLIM).contains(neighborSimilarity) == false) {
            throw new IllegalArgumentException(
                "[neighbors.similarity] must be one of [" + COSINE + ", " + EASE + ", " + SLIM + "], got [" + neighborSimilarity + "]"
            );
        }
        if (Double.isFinite(neighborLambda) == false || neighborLambda <= 0) {
            throw new IllegalArgumentException("[neighbors.lambda] must be a finite number > 0, got [" + neighborLambda + "]");
        }
        if (neighborLambda != DEFAULT_NEIGHBOR_LAMBDA && COSINE.equals(neighborSimilarity)) {
            throw new IllegalArgumentException(
                "[neighbors.lambda] applies to [neighbors.similarity] [" + EASE + "] and [" + SLIM + "] only"
            );
        }
    }

    public TrainSpec(StreamInput in) throws IOException {
        this(
            in.readString(),
            in.readString(),
            in.readString(),
            in.readString(),
            in.readOptionalNamedWriteable(QueryBuilder.class),
            in.readVInt(),
            in.readVInt(),
            in.readDouble(),
            in.readDouble(),
            in.readLong(),
            in.readVInt(),
            in.readVInt(),
            in.readString(),
            in.readDouble(),
            in.readOptionalWriteable(ContentMapSpec::new),
            in.readOptionalWriteable(TuneSpec::new),
            in.readBoolean()
        );
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(eventsIndex);
        out.writeString(userField);
        out.writeString(itemField);
        out.writeString(weightField);
        out.writeOptionalNamedWriteable(query);
        out.writeVInt(factors);
        out.writeVInt(iterations);
        out.writeDouble(lambda);
        out.writeDouble(alpha);
        out.writeLong(seed);
        out.writeVInt(cgSteps);
        out.writeVInt(neighbors);
        out.writeString(neighborSimilarity);
        out.writeDouble(neighborLambda);
        out.writeOptionalWriteable(content);
        out.writeOptionalWriteable(tune);
        out.writeBoolean(lambdaFromData);
    }

    /** This spec with the settings a tuning chose (the neighbors' k it tuned with included). */
    TrainSpec tuned(double newLambda, double newAlpha, int newNeighbors, String similarity, double newNeighborLambda) {
        return new TrainSpec(eventsIndex, userField, itemField, weightField, query, factors, iterations, newLambda, newAlpha, seed,
            cgSteps, newNeighbors, similarity, COSINE.equals(similarity) ? DEFAULT_NEIGHBOR_LAMBDA : newNeighborLambda, content, tune,
            false);
    }

    /** This spec with λ derived from the events. */
    TrainSpec withLambda(double derived) {
        return new TrainSpec(eventsIndex, userField, itemField, weightField, query, factors, iterations, derived, alpha, seed, cgSteps,
            neighbors, neighborSimilarity, neighborLambda, content, tune, false);
    }

    /**
     * Parses a request body; {@code modelDims}, λ (null: derived from the events) and α are the defaults the model provides,
     * and {@code modelContent} the content fields of its items (the content map's default fields; none: no map unless the
     * request names fields).
     */
    public static TrainSpec fromXContent(XContentParser parser, int modelDims, Double modelLambda, double modelAlpha,
        List<String> modelContent) throws IOException {
        Object[] v = { null, "user", "item", "weight", null, modelDims, 15, modelLambda, modelAlpha, 42L, 3, 50, modelContent,
            ContentMapSpec.DEFAULT_LAMBDA, ContentMapSpec.DEFAULT_MIN_ITEMS, ContentMapSpec.DEFAULT_MAX_FEATURES, COSINE,
            DEFAULT_NEIGHBOR_LAMBDA, null };
        ObjectParser<Object[], Void> events = new ObjectParser<>("events");
        events.declareString((a, s) -> a[0] = s, new ParseField("index"));
        events.declareString((a, s) -> a[1] = s, new ParseField("user"));
        events.declareString((a, s) -> a[2] = s, new ParseField("item"));
        events.declareString((a, s) -> a[3] = s, new ParseField("weight"));
        events.declareObject((a, q) -> a[4] = q, (p, c) -> parseTopLevelQuery(p), new ParseField("query"));
        ObjectParser<Object[], Void> als = new ObjectParser<>("als");
        als.declareInt((a, i) -> a[5] = i, new ParseField("factors"));
        als.declareInt((a, i) -> a[6] = i, new ParseField("iterations"));
        als.declareDouble((a, d) -> a[7] = d, new ParseField("lambda"));
        als.declareDouble((a, d) -> a[8] = d, new ParseField("alpha"));
        als.declareLong((a, l) -> a[9] = l, new ParseField("seed"));
        als.declareInt((a, i) -> a[10] = i, new ParseField("cg_steps"));
        ObjectParser<Object[], Void> neighbors = new ObjectParser<>("neighbors");
        neighbors.declareInt((a, i) -> a[11] = i, new ParseField("k"));
        neighbors.declareString((a, x) -> a[16] = x, new ParseField("similarity"));
        neighbors.declareDouble((a, d) -> a[17] = d, new ParseField("lambda"));
        ObjectParser<Object[], Void> content = new ObjectParser<>("content");
        content.declareStringArray((a, l) -> a[12] = l, new ParseField("fields")); // [] skips the map (documented)
        content.declareDouble((a, d) -> a[13] = d, new ParseField("lambda"));
        content.declareInt((a, i) -> a[14] = i, new ParseField("min_items"));
        content.declareInt((a, i) -> a[15] = i, new ParseField("max_features"));
        ObjectParser<Object[], Object[]> body = new ObjectParser<>("train");
        body.declareObject((a, x) -> {}, (p, a) -> events.parse(p, a, null), new ParseField("events"));
        body.declareObject((a, x) -> {}, (p, a) -> als.parse(p, a, null), new ParseField("als"));
        body.declareObject((a, x) -> {}, (p, a) -> neighbors.parse(p, a, null), new ParseField("neighbors"));
        body.declareObject((a, x) -> {}, (p, a) -> content.parse(p, a, null), new ParseField("content"));
        body.declareObject((a, x) -> a[18] = x, (p, a) -> TuneSpec.fromXContent(p), new ParseField("tune"));
        body.parse(parser, v, v);
        if ((int) v[5] != modelDims) {
            throw new IllegalArgumentException(
                "[als.factors] is " + v[5] + " but the model has dims " + modelDims + ": change the model (and the mappings) first"
            );
        }
        @SuppressWarnings("unchecked")
        List<String> contentFields = (List<String>) v[12];
        ContentMapSpec contentMap = contentFields.isEmpty()
            ? null
            : new ContentMapSpec(contentFields, (double) v[13], (int) v[14], (int) v[15]);
        // built once the body is read: its seed defaults to the ALS seed, which may come after it
        TuneSpec tune = v[18] == null ? null : ((TuneSpec.Draft) v[18]).build((long) v[9]);
        return new TrainSpec((String) v[0], (String) v[1], (String) v[2], (String) v[3], (QueryBuilder) v[4], (int) v[5], (int) v[6],
            v[7] == null ? 1.0 : (double) v[7], (double) v[8], (long) v[9], (int) v[10], (int) v[11], (String) v[16], (double) v[17],
            contentMap, tune, v[7] == null);
    }
}
