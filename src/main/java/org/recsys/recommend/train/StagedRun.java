package org.recsys.recommend.train;

import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentFactory;
import org.elasticsearch.xcontent.XContentParseException;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.elasticsearch.xcontent.XContentType;
import org.recsys.recommend.model.FactorsConfig;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The manifest of a staged run: what an external training fitted and with which settings. The job writes it last, after
 * every item and user document of the run, so a run without one (or with fewer documents than it counts) did not finish.
 *
 * <pre>
 * { "run_id": "r1", "kind": "manifest", "dims": 64, "lambda": 0.05, "alpha": 10, "regularization": "weighted",
 *   "iterations": 15, "events": 80000, "skipped_events": 0, "events_cutoff": "2026-12-06T22:00:00Z",
 *   "items": 1650, "users": 943, "neighbors": true, "trained_by": "spark 3.5.6" }
 * </pre>
 */
public record StagedRun(String runId, int dims, double lambda, double alpha, boolean weighted, int iterations, long events,
    long skippedEvents, Instant eventsCutoff, long items, long users, boolean neighbors, String trainedBy) {

    public static final String KIND = "manifest";

    private static final class Draft {
        String runId;
        String kind;
        Integer dims;
        Double lambda;
        Double alpha;
        String regularization;
        int iterations;
        Long events;
        long skippedEvents;
        String eventsCutoff;
        Long items;
        Long users;
        Boolean neighbors;
        String trainedBy = "unknown";
    }

    private static final ObjectParser.ValueType NUMBER = ObjectParser.ValueType.LONG;

    // written by another program, maybe a newer one: fields this version does not know are left alone
    private static final ObjectParser<Draft, Void> PARSER = new ObjectParser<>("manifest", true, null);

    static {
        PARSER.declareString((d, v) -> d.runId = v, new ParseField("run_id"));
        PARSER.declareString((d, v) -> d.kind = v, new ParseField("kind"));
        PARSER.declareField((d, v) -> d.dims = Math.toIntExact(v), p -> wholeNumber(p, "dims"), new ParseField("dims"), NUMBER);
        PARSER.declareDouble((d, v) -> d.lambda = v, new ParseField("lambda"));
        PARSER.declareDouble((d, v) -> d.alpha = v, new ParseField("alpha"));
        PARSER.declareString((d, v) -> d.regularization = v, new ParseField("regularization"));
        PARSER.declareField((d, v) -> d.iterations = Math.toIntExact(v), p -> wholeNumber(p, "iterations"), new ParseField("iterations"),
            NUMBER);
        PARSER.declareField((d, v) -> d.events = v, p -> wholeNumber(p, "events"), new ParseField("events"), NUMBER);
        PARSER.declareField((d, v) -> d.skippedEvents = v, p -> wholeNumber(p, "skipped_events"), new ParseField("skipped_events"),
            NUMBER);
        PARSER.declareString((d, v) -> d.eventsCutoff = v, new ParseField("events_cutoff"));
        PARSER.declareField((d, v) -> d.items = v, p -> wholeNumber(p, "items"), new ParseField("items"), NUMBER);
        PARSER.declareField((d, v) -> d.users = v, p -> wholeNumber(p, "users"), new ParseField("users"), NUMBER);
        PARSER.declareBoolean((d, v) -> d.neighbors = v, new ParseField("neighbors"));
        PARSER.declareString((d, v) -> d.trainedBy = v, new ParseField("trained_by"));
    }

    /** A count written by a program: a JSON integer >= 0, not a string or a fraction that a lenient parse would round. */
    private static long wholeNumber(XContentParser parser, String field) throws IOException {
        if (parser.currentToken() != XContentParser.Token.VALUE_NUMBER
            || (parser.numberType() != XContentParser.NumberType.INT && parser.numberType() != XContentParser.NumberType.LONG)
            || parser.longValue() < 0 || parser.longValue() > Integer.MAX_VALUE * 1024L) {
            String got = parser.currentToken() == XContentParser.Token.VALUE_STRING ? "the string [" + parser.text() + "]"
                : "[" + parser.text() + "]";
            throw new IllegalArgumentException("[manifest." + field + "] must be a whole number >= 0, got " + got);
        }
        return parser.longValue();
    }

    /** Parses a manifest's source as read from the staging index. */
    static StagedRun parse(String runId, Map<String, Object> source) throws IOException {
        try (XContentBuilder json = XContentFactory.jsonBuilder().map(source)) {
            return parse(runId, BytesReference.bytes(json), XContentType.JSON);
        }
    }

    /** Parses a manifest's source; every problem is a 400 naming {@code [manifest.<field>]} and the run. */
    static StagedRun parse(String runId, BytesReference source, XContentType type) throws IOException {
        Draft d;
        try (XContentParser parser = XContentHelper.createParserNotCompressed(XContentParserConfiguration.EMPTY, source, type)) {
            d = PARSER.parse(parser, new Draft(), null);
        } catch (XContentParseException e) {
            // the parser names the position; the field's own check says what is wrong with it: that is the reason to give
            Throwable cause = e.getCause();
            throw cause instanceof IllegalArgumentException named && named.getMessage().startsWith("[manifest.") ? named
                : new IllegalArgumentException("[manifest] of run [" + runId + "] " + e.getMessage(), e);
        }
        if (runId.equals(d.runId) == false) {
            throw invalid(runId, "run_id", "must be [" + runId + "], got [" + d.runId + "]");
        }
        if (KIND.equals(d.kind) == false) {
            throw invalid(runId, "kind", "must be [" + KIND + "], got [" + d.kind + "]");
        }
        require(runId, "dims", d.dims);
        require(runId, "lambda", d.lambda);
        require(runId, "alpha", d.alpha);
        require(runId, "events", d.events);
        require(runId, "events_cutoff", d.eventsCutoff);
        require(runId, "items", d.items);
        require(runId, "users", d.users);
        require(runId, "neighbors", d.neighbors);
        if (d.items == 0) {
            throw invalid(runId, "items", "is 0: a run without items has nothing to serve");
        }
        boolean weighted;
        if (FactorsConfig.WEIGHTED.equals(d.regularization)) {
            weighted = true;
        } else if (FactorsConfig.CONSTANT.equals(d.regularization)) {
            weighted = false;
        } else {
            throw invalid(runId, "regularization", "must be [" + FactorsConfig.WEIGHTED + "] or [" + FactorsConfig.CONSTANT + "], got ["
                + d.regularization + "]");
        }
        if (Double.isFinite(d.lambda) == false || d.lambda <= 0) {
            throw invalid(runId, "lambda", "must be a finite number > 0, got [" + d.lambda + "]");
        }
        if (Double.isFinite(d.alpha) == false || d.alpha < 0) {
            throw invalid(runId, "alpha", "must be a finite number >= 0, got [" + d.alpha + "]");
        }
        Instant cutoff;
        try {
            cutoff = Instant.parse(d.eventsCutoff);
        } catch (DateTimeParseException e) {
            throw invalid(runId, "events_cutoff", "must be an ISO-8601 instant such as [2026-12-06T22:00:00Z], got [" + d.eventsCutoff
                + "]");
        }
        return new StagedRun(runId, d.dims, d.lambda, d.alpha, weighted, d.iterations, d.events, d.skippedEvents, cutoff, d.items,
            d.users, d.neighbors, d.trainedBy);
    }

    private static void require(String runId, String field, Object value) {
        if (value == null) {
            throw invalid(runId, field, "is missing");
        }
    }

    private static IllegalArgumentException invalid(String runId, String field, String problem) {
        return new IllegalArgumentException("[manifest." + field + "] of run [" + runId + "] " + problem);
    }
}
