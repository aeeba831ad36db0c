package org.recsys.recommend.train;

import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.elasticsearch.xcontent.XContentType;
import org.recsys.recommend.model.FactorsConfig;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

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
        boolean neighbors;
        String trainedBy = "unknown";
    }

    // written by another program, maybe a newer one: fields this version does not know are left alone
    private static final ObjectParser<Draft, Void> PARSER = new ObjectParser<>("manifest", true, null);

    static {
        PARSER.declareString((d, v) -> d.runId = v, new ParseField("run_id"));
        PARSER.declareString((d, v) -> d.kind = v, new ParseField("kind"));
        PARSER.declareInt((d, v) -> d.dims = v, new ParseField("dims"));
        PARSER.declareDouble((d, v) -> d.lambda = v, new ParseField("lambda"));
        PARSER.declareDouble((d, v) -> d.alpha = v, new ParseField("alpha"));
        PARSER.declareString((d, v) -> d.regularization = v, new ParseField("regularization"));
        PARSER.declareInt((d, v) -> d.iterations = v, new ParseField("iterations"));
        PARSER.declareLong((d, v) -> d.events = v, new ParseField("events"));
        PARSER.declareLong((d, v) -> d.skippedEvents = v, new ParseField("skipped_events"));
        PARSER.declareString((d, v) -> d.eventsCutoff = v, new ParseField("events_cutoff"));
        PARSER.declareLong((d, v) -> d.items = v, new ParseField("items"));
        PARSER.declareLong((d, v) -> d.users = v, new ParseField("users"));
        PARSER.declareBoolean((d, v) -> d.neighbors = v, new ParseField("neighbors"));
        PARSER.declareString((d, v) -> d.trainedBy = v, new ParseField("trained_by"));
    }

    /** Parses a manifest's source; every problem is a 400 naming {@code [manifest.<field>]} and the run. */
    static StagedRun parse(String runId, BytesReference source, XContentType type) throws IOException {
        Draft d;
        try (XContentParser parser = XContentHelper.createParserNotCompressed(XContentParserConfiguration.EMPTY, source, type)) {
            d = PARSER.parse(parser, new Draft(), null);
        }
        if (runId.equals(d.runId) == false || KIND.equals(d.kind) == false) {
            throw invalid(runId, "run_id", "must be [" + runId + "] with [kind] [" + KIND + "], got [" + d.runId + "], [" + d.kind + "]");
        }
        require(runId, "dims", d.dims);
        require(runId, "lambda", d.lambda);
        require(runId, "alpha", d.alpha);
        require(runId, "events", d.events);
        require(runId, "events_cutoff", d.eventsCutoff);
        require(runId, "items", d.items);
        require(runId, "users", d.users);
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
        if (d.events < 0 || d.items < 0 || d.users < 0 || d.skippedEvents < 0 || d.iterations < 0) {
            throw invalid(runId, "events", "counts must be >= 0, got events [" + d.events + "], items [" + d.items + "], users ["
                + d.users + "]");
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
