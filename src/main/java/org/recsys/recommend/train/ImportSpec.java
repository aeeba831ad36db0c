package org.recsys.recommend.train;

import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.regex.Pattern;

/**
 * What {@code _import} takes over: the run an external training (the Spark job) staged in an index.
 *
 * <pre>
 * { "staging_index": "recommend-staging-movies", "run_id": "2026-12-06-nightly" }
 * </pre>
 */
public record ImportSpec(String stagingIndex, String runId) {

    static final ParseField STAGING_INDEX = new ParseField("staging_index");
    static final ParseField RUN_ID = new ParseField("run_id");
    // what the job accepts for a run id: it names documents (<run_id>:item:<id>) and appears in URLs unescaped
    private static final Pattern RUN_ID_FORM = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    // into a draft, checked by the constructor once parsed: its errors then name the field as the reason, not as a cause
    private static final ObjectParser<String[], Void> PARSER = new ObjectParser<>("import");

    static {
        PARSER.declareString((draft, v) -> draft[0] = v, STAGING_INDEX);
        PARSER.declareString((draft, v) -> draft[1] = v, RUN_ID);
    }

    public ImportSpec {
        if (stagingIndex == null || stagingIndex.isBlank()) {
            throw new IllegalArgumentException("[staging_index] must name the index the job staged its run in");
        }
        if (runId == null || RUN_ID_FORM.matcher(runId).matches() == false) {
            throw new IllegalArgumentException("[run_id] must be 1 to 128 letters, digits, '_' or '-', got [" + runId + "]");
        }
    }

    public static ImportSpec fromXContent(XContentParser parser) throws IOException {
        String[] draft = PARSER.parse(parser, new String[2], null);
        return new ImportSpec(draft[0], draft[1]);
    }

    /** The staged document of one item, user or the run's manifest. */
    static String documentId(String runId, String kind, String id) {
        return id == null ? runId + ":" + kind : runId + ":" + kind + ":" + id;
    }
}
