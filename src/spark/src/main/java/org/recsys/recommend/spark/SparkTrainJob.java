/*
 * Trains a recommend model with Spark and hands the result to the plugin.
 *
 * Why: the plugin's own _train runs on one node and holds every event in its heap. Past that size this job reads the same
 * events with the elasticsearch-hadoop connector, fits the same implicit ALS (and cosine item neighbors) on a Spark cluster,
 * stages items and users in an index, and asks the plugin to import the run (POST _recommend/model/{id}/_import), which
 * swaps it in the way a _train would.
 *
 * Build (JDK 17; Spark 3.5 and the connector are the cluster's and the shaded jar's):
 *
 *   cd src/spark && JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 mvn -B -ntp package
 *
 * Run on a cluster:
 *
 *   spark-submit --class org.recsys.recommend.spark.SparkTrainJob target/recommend-spark-job.jar \
 *     --es http://es-host:9200 --model movies --run-id 2026-12-06-nightly [--neighbors 50] [--no-import]
 *
 * Run locally (no Spark installation: target/classpath lists Spark's jars; JDK 17 needs Spark's --add-opens list, the one
 * in pom.xml's spark.jvm.args; SPARK_LOCAL_IP keeps Spark on loopback):
 *
 *   SPARK_LOCAL_IP=127.0.0.1 java $(add-opens flags) -cp target/recommend-spark-job.jar:$(cat target/classpath) \
 *     org.recsys.recommend.spark.SparkTrainJob --master 'local[2]' --es http://127.0.0.1:9200 --model movies --run-id r1
 *
 * (target/test-classes on the class path too quiets Spark's INFO logging: its log4j2.properties is never in the job jar,
 * where it would override a cluster's logging.) The job's own lines go to stdout, errors and Spark's log to stderr.
 *
 * Output: one "phase <name> <ms> ms" line per phase (read, fit, neighbors, write, import), counts and rates, the import's
 * answer. Exit code 0 on success, 2 for a wrong command line (the message names the option), 1 for any other failure
 * (with Elasticsearch's error body when it answered one).
 */
package org.recsys.recommend.spark;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;

/** The job's entry point: options, then read → fit → neighbors → write → import, each phase timed. */
public final class SparkTrainJob {

    /** {@code _import} swaps the served model in: on a large catalogue that takes a while, and the job waits for it. */
    private static final Duration IMPORT_TIMEOUT = Duration.ofHours(2);

    private final JobOptions options;
    private final EsHttp http;
    private final PrintStream out;

    private SparkTrainJob(JobOptions options, PrintStream out) {
        this.options = options;
        this.http = new EsHttp(options.es(), options.user(), options.password());
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the job; answers the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        JobOptions options;
        try {
            options = JobOptions.parse(args, Instant.now());
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(JobOptions.USAGE);
            return 2;
        }
        try {
            new SparkTrainJob(options, out).train();
            return 0;
        } catch (EsHttp.EsException e) {
            err.println("error: " + e.getMessage());
            if (e.body() != null && e.body().isEmpty() == false) {
                err.println(e.body());
            }
            return 1;
        } catch (Exception | LinkageError | ServiceConfigurationError e) {
            // Exception, not RuntimeException: Scala code throws checked ones undeclared (SparkException for a failed job). A
            // linkage error: the job jar beside a Spark it was not built for. Either is said, then the exit code.
            Throwable cause = ownCause(e);
            if (cause != null) {
                err.println("error: " + cause.getMessage());
            } else {
                err.println("error: the job failed:");
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    private void train() {
        out.println("recommend spark job: " + options.describe());
        // checked before Spark starts: a model in the wrong mode or an unusable staging index must not cost a read
        ModelSettings model = ModelSettings.fetch(http, options.model());
        model.requireWeighted(options.model());
        double lambda = options.lambda() != null ? options.lambda() : model.lambda();
        if (options.lambda() == null && model.lambdaAuto()) {
            // the plugin's _train derives λ from the data each time; this job takes the model's as it stands
            out.println("note: model [" + options.model() + "] has lambda_auto: using its current λ " + model.lambda()
                + " (0.1 until a _train has derived one); --lambda sets another");
        }
        double alpha = options.alpha() != null ? options.alpha() : model.alpha();
        StagingWriter staging = new StagingWriter(http, options);
        long earlier = staging.prepare();
        if (earlier > 0) {
            out.println("note: [" + options.stagingIndex() + "] held " + earlier + " documents of run [" + options.runId()
                + "]: its manifest is deleted, its documents are replaced");
        }

        SparkSession spark = session();
        try {
            if (options.checkpointDir() != null) {
                spark.sparkContext().setCheckpointDir(options.checkpointDir()); // ALS then cuts its lineage every 10 iterations
            }
            long t0 = System.nanoTime();
            EventReader.Events events = EventReader.read(spark, options);
            long readMs = phase("read", t0);
            out.printf(Locale.ROOT, "events %d read, %d used, %d skipped (%d without a user or item, %d with an id too long to stage), "
                + "%.0f events/s%n", events.read(), events.used(), events.skipped(), events.skippedMissing(), events.skippedLongIds(),
                rate(events.read(), readMs));
            if (events.used() == 0) {
                throw new IllegalStateException("[" + options.eventsIndex() + "] has no events with a user and an item at or before "
                    + options.cutoff() + " to train on");
            }

            long t1 = System.nanoTime();
            AlsTraining.Fitted fitted = AlsTraining.fit(spark, events.pairs(), model.dims(), lambda, alpha, options);
            phase("fit", t1);
            out.printf(Locale.ROOT, "als %d users, %d items, dims %d, lambda %s, alpha %s, %d iterations%n", fitted.users(),
                fitted.items(), model.dims(), lambda, alpha, options.iterations());

            long t2 = System.nanoTime();
            Dataset<Row> neighbors = null;
            if (options.neighbors() > 0) {
                neighbors = CosineNeighbors.compute(fitted.ratings(), fitted.itemIds(), options.neighbors()).cache();
                out.printf(Locale.ROOT, "neighbors %d items with neighbors (k %d)%n", neighbors.count(), options.neighbors());
            }
            phase("neighbors", t2);

            long t3 = System.nanoTime();
            staging.write(StagedDocs.items(spark, options.runId(), fitted.itemFactors(), events.pairs(), neighbors));
            staging.write(StagedDocs.users(spark, options.runId(), model.maxHistory(), fitted.userFactors(), events.pairs()));
            staging.finish(manifest(model, lambda, alpha, events, fitted, spark.version()), fitted.items(), fitted.users());
            long writeMs = phase("write", t3);
            long docs = fitted.items() + fitted.users();
            out.printf(Locale.ROOT, "docs %d written (%d items, %d users) to [%s], %.0f docs/s%n", docs, fitted.items(), fitted.users(),
                options.stagingIndex(), rate(docs, writeMs));
        } finally {
            spark.stop();
        }

        if (options.noImport()) {
            out.println("import skipped (--no-import): POST _recommend/model/" + options.model() + "/_import {\"staging_index\": \""
                + options.stagingIndex() + "\", \"run_id\": \"" + options.runId() + "\"}");
            return;
        }
        long t4 = System.nanoTime();
        String imported = importRun();
        phase("import", t4);
        out.println("import " + imported);
    }

    /**
     * Starts {@code _import} as a task and waits for it through the tasks API: a long import then depends on no single HTTP
     * connection staying open (a closed one would cancel a call that waits, possibly after the switch). Answers the import's
     * result.
     */
    private String importRun() {
        Map<String, Object> body = Map.of("staging_index", options.stagingIndex(), "run_id", options.runId());
        String what = "import run [" + options.runId() + "] into model [" + options.model() + "]";
        String path = "_recommend/model/" + EsHttp.segment(options.model()) + "/_import?wait_for_completion=false";
        String task = EsHttp.require(http.post(path, body), what).json().path("task").asText();
        long deadline = System.nanoTime() + IMPORT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            EsHttp.Response waited = http.get("_tasks/" + EsHttp.segment(task) + "?wait_for_completion=true&timeout=60s");
            if (waited.status() == 408 || waited.status() == 429) {
                continue; // the wait timed out (answered as an error): still running
            }
            JsonNode status = EsHttp.require(waited, what).json();
            if (status.path("completed").asBoolean()) {
                if (status.has("error")) {
                    throw new EsHttp.EsException(what + " failed", status.path("error").path("status").asInt(500), status.path("error")
                        .toString());
                }
                return status.path("response").toString();
            }
        }
        throw new IllegalStateException(what + ": task [" + task + "] still running after " + IMPORT_TIMEOUT
            + "; follow it with GET _tasks/" + task);
    }

    private Map<String, Object> manifest(ModelSettings model, double lambda, double alpha, EventReader.Events events,
        AlsTraining.Fitted fitted, String sparkVersion) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("dims", model.dims());
        manifest.put("lambda", lambda);
        manifest.put("alpha", alpha);
        manifest.put("regularization", ModelSettings.WEIGHTED);
        manifest.put("iterations", options.iterations());
        manifest.put("events", events.used());
        manifest.put("skipped_events", events.skipped());
        manifest.put("events_cutoff", options.cutoff().toString());
        manifest.put("items", fitted.items());
        manifest.put("users", fitted.users());
        manifest.put("neighbors", options.neighbors() > 0);
        manifest.put("trained_by", "spark " + sparkVersion);
        return manifest;
    }

    private SparkSession session() {
        SparkConf conf = new SparkConf().setAppName("recommend-train " + options.model() + " " + options.runId());
        if (options.master() != null) {
            conf.setMaster(options.master());
            if (options.master().startsWith("local")) {
                // a local run (tests, a laptop): no web UI and its port, loopback only, and shuffles sized for a few
                // cores rather than Spark's 200 partitions; -Dspark.* system properties still win
                conf.setIfMissing("spark.ui.enabled", "false");
                conf.setIfMissing("spark.driver.host", "127.0.0.1");
                conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
                conf.setIfMissing("spark.sql.shuffle.partitions", "8");
            }
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    private long phase(String name, long startNanos) {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        out.printf(Locale.ROOT, "phase %s %d ms%n", name, ms);
        return ms;
    }

    private static double rate(long count, long ms) {
        return count * 1000.0 / Math.max(1, ms);
    }

    /**
     * The job's own error inside whatever Spark wrapped it in (a failed task, a failed stage): its message says what is
     * wrong with the data; Spark's stack traces would bury it. Null when the failure is not one of ours.
     */
    private static Throwable ownCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            boolean ours = t.getStackTrace().length > 0 && t.getStackTrace()[0].getClassName().startsWith("org.recsys.recommend.spark.");
            if (ours && (t instanceof IllegalArgumentException || t instanceof IllegalStateException)) {
                return t;
            }
        }
        return null;
    }
}
