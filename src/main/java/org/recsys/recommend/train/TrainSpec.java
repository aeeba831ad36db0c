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

    /** What a request body says, before the model's defaults fill what it leaves out and the spec checks it all. */
    private static final class Draft {
        String eventsIndex;
        String userField = "user";
        String itemField = "item";
        String weightField = "weight";
        QueryBuilder query;
        Integer factors;
        int iterations = 15;
        Double lambda;
        Double alpha;
        long seed = 42L;
        int cgSteps = 3;
        int neighbors = 50;
        String similarity = COSINE;
        double neighborLambda = DEFAULT_NEIGHBOR_LAMBDA;
        List<String> contentFields;
        double contentLambda = ContentMapSpec.DEFAULT_LAMBDA;
        int contentMinItems = ContentMapSpec.DEFAULT_MIN_ITEMS;
        int contentMaxFeatures = ContentMapSpec.DEFAULT_MAX_FEATURES;
        TuneSpec.Draft tune;
    }

    private static final ObjectParser<Draft, Void> EVENTS = new ObjectParser<>("events");
    private static final ObjectParser<Draft, Void> ALS = new ObjectParser<>("als");
    private static final ObjectParser<Draft, Void> NEIGHBORS = new ObjectParser<>("neighbors");
    private static final ObjectParser<Draft, Void> CONTENT = new ObjectParser<>("content");
    private static final ObjectParser<Draft, Draft> BODY = new ObjectParser<>("train"); // context: the draft the sections fill

    static {
        EVENTS.declareString((d, v) -> d.eventsIndex = v, new ParseField("index"));
        EVENTS.declareString((d, v) -> d.userField = v, new ParseField("user"));
        EVENTS.declareString((d, v) -> d.itemField = v, new ParseField("item"));
        EVENTS.declareString((d, v) -> d.weightField = v, new ParseField("weight"));
        EVENTS.declareObject((d, v) -> d.query = v, (p, c) -> parseTopLevelQuery(p), new ParseField("query"));
        ALS.declareInt((d, v) -> d.factors = v, new ParseField("factors"));
        ALS.declareInt((d, v) -> d.iterations = v, new ParseField("iterations"));
        ALS.declareDouble((d, v) -> d.lambda = v, new ParseField("lambda"));
        ALS.declareDouble((d, v) -> d.alpha = v, new ParseField("alpha"));
        ALS.declareLong((d, v) -> d.seed = v, new ParseField("seed"));
        ALS.declareInt((d, v) -> d.cgSteps = v, new ParseField("cg_steps"));
        NEIGHBORS.declareInt((d, v) -> d.neighbors = v, new ParseField("k"));
        NEIGHBORS.declareString((d, v) -> d.similarity = v, new ParseField("similarity"));
        NEIGHBORS.declareDouble((d, v) -> d.neighborLambda = v, new ParseField("lambda"));
        CONTENT.declareStringArray((d, v) -> d.contentFields = v, new ParseField("fields")); // [] skips the map (documented)
        CONTENT.declareDouble((d, v) -> d.contentLambda = v, new ParseField("lambda"));
        CONTENT.declareInt((d, v) -> d.contentMinItems = v, new ParseField("min_items"));
        CONTENT.declareInt((d, v) -> d.contentMaxFeatures = v, new ParseField("max_features"));
        BODY.declareObject((d, x) -> {}, (p, d) -> EVENTS.parse(p, d, null), new ParseField("events"));
        BODY.declareObject((d, x) -> {}, (p, d) -> ALS.parse(p, d, null), new ParseField("als"));
        BODY.declareObject((d, x) -> {}, (p, d) -> NEIGHBORS.parse(p, d, null), new ParseField("neighbors"));
        BODY.declareObject((d, x) -> {}, (p, d) -> CONTENT.parse(p, d, null), new ParseField("content"));
        BODY.declareObject((d, v) -> d.tune = v, (p, d) -> TuneSpec.fromXContent(p), new ParseField("tune"));
    }

    /**
     * Parses a request body; {@code modelDims}, λ (null: derived from the events) and α are the defaults the model provides,
     * and {@code modelContent} the content fields of its items (the content map's default fields; none: no map unless the
     * request names fields).
     */
    public static TrainSpec fromXContent(XContentParser parser, int modelDims, Double modelLambda, double modelAlpha,
        List<String> modelContent) throws IOException {
        Draft draft = new Draft();
        BODY.parse(parser, draft, draft);
        int factors = draft.factors != null ? draft.factors : modelDims;
        if (factors != modelDims) {
            throw new IllegalArgumentException(
                "[als.factors] is " + factors + " but the model has dims " + modelDims + ": change the model (and the mappings) first"
            );
        }
        Double lambda = draft.lambda != null ? draft.lambda : modelLambda;
        List<String> contentFields = draft.contentFields != null ? draft.contentFields : modelContent;
        ContentMapSpec contentMap = contentFields.isEmpty()
            ? null
            : new ContentMapSpec(contentFields, draft.contentLambda, draft.contentMinItems, draft.contentMaxFeatures);
        // built once the body is read: its seed defaults to the ALS seed, which may come after it
        TuneSpec tune = draft.tune == null ? null : draft.tune.build(draft.seed);
        return new TrainSpec(draft.eventsIndex, draft.userField, draft.itemField, draft.weightField, draft.query, factors,
            draft.iterations, lambda == null ? 1.0 : lambda, draft.alpha != null ? draft.alpha : modelAlpha, draft.seed,
            draft.cgSteps, draft.neighbors, draft.similarity, draft.neighborLambda, contentMap, tune, lambda == null);
    }
}
