package org.recsys.recommend.spark;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The job's command line, validated as a whole before Spark starts: a typo must cost a second, not a cluster's worth of
 * reading. Every error names the option ({@link UsageException}, exit code 2). {@code lambda} and {@code alpha} are null
 * when not given: the model's own then apply.
 */
public record JobOptions(
    URI es,
    String user,
    String password,
    String model,
    String runId,
    String eventsIndex,
    String userField,
    String itemField,
    String weightField,
    String actionField,
    Map<String, Double> actionWeights,
    String timestampField,
    Instant cutoff,
    int iterations,
    long seed,
    int neighbors,
    Double lambda,
    Double alpha,
    String stagingIndex,
    String checkpointDir,
    String master,
    boolean noImport
) {

    /** What the plugin's {@code _import} accepts: the id names staged documents ({@code <run_id>:item:<id>}) and URLs. */
    static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    // the limits of the plugin's _train, so that both trainings accept the same settings
    static final int MAX_ITERATIONS = 1000;
    static final int MAX_NEIGHBORS = 1000;

    private static final Set<String> FLAGS = Set.of("no-import");
    private static final Set<String> VALUED = Set.of("es", "user", "password", "model", "run-id", "events-index", "user-field",
        "item-field", "weight-field", "action-field", "action-weights", "timestamp-field", "cutoff", "iterations", "seed", "neighbors",
        "lambda", "alpha", "staging-index", "checkpoint-dir", "master");
    // Elasticsearch's index name rules (MetadataCreateIndexService): the staging index is created by this job
    private static final Pattern BAD_INDEX_CHARS = Pattern.compile("[\\\\/*?\"<>| ,#:A-Z]");

    public JobOptions {
        actionWeights = actionWeights == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(actionWeights));
    }

    static final String USAGE = String.join("\n",
        "usage: SparkTrainJob --es URL --model ID --run-id ID [options]",
        "  --es http://host:9200        Elasticsearch (the node's REST address; a path prefix is kept)",
        "  --user NAME --password PW    basic authentication (both or neither)",
        "  --model ID                   the plugin's model (GET _recommend/model/ID)",
        "  --run-id ID                  names this run's staged documents: 1-128 of [A-Za-z0-9_-]",
        "  --events-index NAME          events (default events; a pattern or a comma-separated list works)",
        "  --user-field F --item-field F --weight-field F --action-field F --timestamp-field F",
        "                               event fields (defaults user, item, weight, action, @timestamp)",
        "  --action-weights view=1,buy=5  the weight of an event without a weight field, by its action",
        "  --cutoff 2026-12-06T00:00:00Z  only events at or before it, and those without a timestamp (default: now)",
        "  --iterations 15 --seed 42    ALS sweeps and random seed",
        "  --lambda L --alpha A         override the model's λ and α",
        "  --neighbors K                also K cosine item neighbors per item (default 0: none)",
        "  --staging-index NAME         default recommend-staging-<model>",
        "  --checkpoint-dir DIR         Spark checkpoints for ALS (long lineages on large data)",
        "  --master MASTER              set Spark's master (local[2] for a local run); spark-submit sets it otherwise",
        "  --no-import                  stage only, do not call _import");

    /** Parses and validates {@code args}; {@code now} is the default cutoff (the job's start). */
    public static JobOptions parse(String[] args, Instant now) throws UsageException {
        Map<String, String> raw = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg.startsWith("--") ? arg.substring(2) : null;
            if (name == null || (FLAGS.contains(name) == false && VALUED.contains(name) == false)) {
                throw new UsageException("unknown option [" + arg + "]");
            }
            if (raw.containsKey(name)) {
                throw new UsageException("[--" + name + "] is given twice");
            }
            if (FLAGS.contains(name)) {
                raw.put(name, "true");
            } else if (i + 1 == args.length || args[i + 1].startsWith("--")) {
                throw new UsageException("[--" + name + "] needs a value");
            } else {
                raw.put(name, args[++i]);
            }
        }
        String model = required(raw, "model");
        if (model.isBlank()) {
            throw new UsageException("[--model] must not be blank");
        }
        String runId = required(raw, "run-id");
        if (RUN_ID.matcher(runId).matches() == false) {
            throw new UsageException("[--run-id] must be 1 to 128 letters, digits, '_' or '-', got [" + runId + "]");
        }
        String user = raw.get("user");
        String password = raw.get("password");
        if ((user == null) != (password == null)) {
            throw new UsageException(user == null ? "[--password] needs [--user]" : "[--user] needs [--password]");
        }
        String staging = raw.getOrDefault("staging-index", "recommend-staging-" + model.toLowerCase(Locale.ROOT));
        checkIndexName("staging-index", staging);
        return new JobOptions(
            esUrl(required(raw, "es")),
            user,
            password,
            model,
            runId,
            text(raw, "events-index", "events"),
            field(raw, "user-field", "user"),
            field(raw, "item-field", "item"),
            field(raw, "weight-field", "weight"),
            field(raw, "action-field", "action"),
            raw.containsKey("action-weights") ? actionWeights(raw.get("action-weights")) : null,
            field(raw, "timestamp-field", "@timestamp"),
            raw.containsKey("cutoff") ? instant("cutoff", raw.get("cutoff")) : now,
            (int) integer(raw, "iterations", 15, 1, MAX_ITERATIONS),
            integer(raw, "seed", 42, Long.MIN_VALUE, Long.MAX_VALUE),
            (int) integer(raw, "neighbors", 0, 0, MAX_NEIGHBORS),
            raw.containsKey("lambda") ? number("lambda", raw.get("lambda"), false) : null,
            raw.containsKey("alpha") ? number("alpha", raw.get("alpha"), true) : null,
            staging,
            raw.containsKey("checkpoint-dir") ? text(raw, "checkpoint-dir", null) : null,
            raw.containsKey("master") ? text(raw, "master", null) : null,
            raw.containsKey("no-import")
        );
    }

    /** The event fields the job reads, in the order the connector is asked for them (the action only with weights to map). */
    public List<String> eventFields() {
        return actionWeights == null
            ? List.of(userField, itemField, weightField, timestampField)
            : List.of(userField, itemField, weightField, actionField, timestampField);
    }

    /** The command line as printed at start: the password never. */
    public String describe() {
        return String.format(Locale.ROOT, "es=%s%s model=%s run_id=%s events=%s cutoff=%s iterations=%d seed=%d neighbors=%d staging=%s%s",
            es, user == null ? "" : " user=" + user, model, runId, eventsIndex, cutoff, iterations, seed, neighbors, stagingIndex,
            noImport ? " (no import)" : "");
    }

    private static String required(Map<String, String> raw, String name) throws UsageException {
        String value = raw.get(name);
        if (value == null) {
            throw new UsageException("[--" + name + "] is required");
        }
        return value;
    }

    private static String text(Map<String, String> raw, String name, String defaultValue) throws UsageException {
        String value = raw.getOrDefault(name, defaultValue);
        if (value.isBlank() || value.strip().equals(value) == false) {
            throw new UsageException("[--" + name + "] must be non-empty without surrounding spaces, got [" + value + "]");
        }
        return value;
    }

    /** A field name: the connector takes the fields it reads as a comma-separated list, so a comma cannot be part of one. */
    private static String field(Map<String, String> raw, String name, String defaultValue) throws UsageException {
        String value = text(raw, name, defaultValue);
        if (value.contains(",") || value.startsWith(".") || value.endsWith(".")) {
            throw new UsageException("[--" + name + "] must be a field name (no comma, no leading or trailing dot), got [" + value + "]");
        }
        return value;
    }

    static URI esUrl(String value) throws UsageException {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new UsageException("[--es] must be a URL like http://127.0.0.1:9200, got [" + value + "]: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((scheme.equals("http") || scheme.equals("https")) == false || uri.getHost() == null) {
            throw new UsageException("[--es] must be an http:// or https:// URL with a host, got [" + value + "]");
        }
        if (uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null) {
            // credentials in a URL end up in logs and in Spark's UI: they go through --user/--password
            throw new UsageException("[--es] must not carry credentials, a query or a fragment (use --user/--password), got [" + value
                + "]");
        }
        return uri;
    }

    static Map<String, Double> actionWeights(String value) throws UsageException {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (String part : value.split(",", -1)) {
            int eq = part.indexOf('=');
            String action = eq < 0 ? "" : part.substring(0, eq).strip();
            if (action.isEmpty()) {
                throw new UsageException("[--action-weights] must be action=weight pairs separated by commas, got [" + value + "]");
            }
            if (weights.containsKey(action)) {
                throw new UsageException("[--action-weights] gives action [" + action + "] twice");
            }
            weights.put(action, number("action-weights", part.substring(eq + 1).strip(), true));
        }
        return weights;
    }

    static Instant instant(String name, String value) throws UsageException {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(value).toInstant(); // 2026-12-06T00:00:00+01:00 is as exact
            } catch (DateTimeParseException e2) {
                throw new UsageException("[--" + name + "] must be an ISO-8601 instant like 2026-12-06T00:00:00Z, got [" + value + "]");
            }
        }
    }

    private static long integer(Map<String, String> raw, String name, long defaultValue, long min, long max) throws UsageException {
        String value = raw.get(name);
        if (value == null) {
            return defaultValue;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException("[--" + name + "] must be an integer, got [" + value + "]");
        }
        if (parsed < min || parsed > max) {
            throw new UsageException("[--" + name + "] must be between " + min + " and " + max + ", got [" + value + "]");
        }
        return parsed;
    }

    /** A finite number, > 0 or (with {@code zeroAllowed}) >= 0: the plugin's own rule for λ, α and weights. */
    private static double number(String name, String value, boolean zeroAllowed) throws UsageException {
        double parsed;
        try {
            parsed = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            parsed = Double.NaN;
        }
        if (Double.isFinite(parsed) == false || parsed < 0 || (parsed == 0 && zeroAllowed == false)) {
            throw new UsageException("[--" + name + "] must be a finite number " + (zeroAllowed ? ">= 0" : "> 0") + ", got [" + value
                + "]");
        }
        return parsed;
    }

    private static void checkIndexName(String name, String value) throws UsageException {
        if (value.isEmpty() || value.equals(".") || value.equals("..") || "-_+".indexOf(value.charAt(0)) >= 0
            || BAD_INDEX_CHARS.matcher(value).find() || value.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new UsageException("[--" + name + "] must be a valid index name (lowercase, no \\ / * ? \" < > | space , # :, "
                + "not starting with - _ +), got [" + value + "]");
        }
    }
}
