package org.recsys.recommend.bench;

import com.fasterxml.jackson.databind.JsonNode;

import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealNode;
import org.recsys.recommend.testing.SparkJobProcess;

import java.util.Locale;
import java.util.SplittableRandom;

import static org.recsys.recommend.bench.P1DocumentedPathBenchmark.ok;
import static org.recsys.recommend.bench.P1DocumentedPathBenchmark.option;

/**
 * Data that {@code _train} refuses on a 1 GB heap, trained by the Spark job on {@code local[2]}, served and folded in: a
 * node with a 1 GB heap (and the test-only plugin that answers {@code GET /}), synthetic events (users with Zipf-popular
 * items, 1–2 weight), {@code _train} tried (its refusal printed), the Spark job run with its phases timed, then events sent
 * through the processor for users the job trained (fold-in against the imported model), and a {@code _recommend}.
 *
 * <pre>
 * java -cp ... org.recsys.recommend.bench.SparkScaleBenchmark [--events 10000000] [--users 200000] [--items 20000]
 *   [--dims 32] [--spark-heap 8g]
 * </pre>
 */
public final class SparkScaleBenchmark {

    private static final int BULK = 20_000;

    private SparkScaleBenchmark() {}

    public static void main(String[] args) throws Exception {
        long events = Long.parseLong(option(args, "--events", "10000000"));
        int users = Integer.parseInt(option(args, "--users", "200000"));
        int items = Integer.parseInt(option(args, "--items", "20000"));
        int dims = Integer.parseInt(option(args, "--dims", "32"));
        String sparkHeap = option(args, "--spark-heap", "8g");
        try (RealNode node = RealNode.start(NodeSpec.insecure().withHeap("1g").withRootInfo())) {
            JsonHttp http = node.http();
            ok(http.put("/_recommend/model/big", "{\"items\":{\"index\":\"big_items\"},\"users\":{\"index\":\"big_users\"},"
                + "\"factors\":{\"dims\":" + dims + ",\"lambda\":0.05,\"alpha\":5,\"regularization\":\"weighted\"}}"));
            long t0 = System.nanoTime();
            StringBuilder bulk = new StringBuilder();
            for (int i = 0; i < items; i++) {
                bulk.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"title\":\"item ").append(i).append("\"}\n");
            }
            ok(http.postNdjson("/big_items/_bulk?refresh=true", bulk.toString()));
            ok(http.put("/big_events", "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":0,\"refresh_interval\":\"-1\"},"
                + "\"mappings\":{\"properties\":{\"user\":{\"type\":\"keyword\"},\"item\":{\"type\":\"keyword\"},"
                + "\"weight\":{\"type\":\"float\"},\"@timestamp\":{\"type\":\"date\"}}}}"));
            ZipfItems zipf = new ZipfItems(items, 1.0);
            SplittableRandom random = new SplittableRandom(42);
            bulk.setLength(0);
            for (long e = 0; e < events; e++) {
                bulk.append("{\"index\":{}}\n{\"user\":\"u").append(random.nextInt(users)).append("\",\"item\":\"i")
                    .append(zipf.sample(random)).append("\",\"weight\":").append(1 + random.nextInt(2)).append(",\"@timestamp\":")
                    .append(1_700_000_000_000L + e).append("}\n");
                if ((e + 1) % BULK == 0 || e == events - 1) {
                    JsonHttp.Response r = ok(http.postNdjson("/big_events/_bulk", bulk.toString()));
                    if (r.json().path("errors").asBoolean()) {
                        throw new IllegalStateException(r.body().substring(0, 2000));
                    }
                    bulk.setLength(0);
                }
            }
            ok(http.put("/big_events/_settings", "{\"index\":{\"refresh_interval\":\"1s\"}}"));
            ok(http.post("/big_events/_refresh", null));
            long loadMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf(Locale.ROOT, "loaded %d events (%d users, %d Zipf items) in %d ms, %.0f events/s%n", events, users, items,
                loadMs, events * 1000.0 / loadMs);

            JsonHttp.Response refused = http.post("/_recommend/model/big/_train", "{\"events\":{\"index\":\"big_events\"}}");
            System.out.println("_train on a 1 GB heap: " + refused.status() + " " + refused.at("/error/reason").asText(refused.body()));

            long t1 = System.nanoTime();
            SparkJobProcess.Outcome job = SparkJobProcess.runWithHeap(sparkHeap, 240, "--es", http.baseUrl(), "--model", "big",
                "--run-id", "scale", "--events-index", "big_events", "--iterations", "10");
            if (job.exitCode() != 0) {
                throw new IllegalStateException("the Spark job failed:\n" + job.stdout() + "\n" + job.stderr());
            }
            job.stdout().lines().filter(l -> l.startsWith("phase ") || l.startsWith("events ") || l.startsWith("als ")
                || l.startsWith("docs ")).forEach(l -> System.out.println("  spark: " + l));
            JsonNode imported = JsonHttp.MAPPER.readTree(job.stdout().lines().filter(l -> l.startsWith("import {")).findFirst()
                .orElseThrow().substring("import ".length()));
            System.out.println("  import: items " + imported.path("items") + ", users " + imported.path("users") + ", phases "
                + imported.path("phases_ms") + ", took " + imported.path("took") + " ms");
            System.out.printf(Locale.ROOT, "spark job end to end: %d ms%n", (System.nanoTime() - t1) / 1_000_000);

            ok(http.put("/_ingest/pipeline/big", "{\"processors\":[{\"recommend_update\":{\"model\":\"big\"}}]}"));
            long t2 = System.nanoTime();
            int folded = 2000;
            bulk.setLength(0);
            for (int n = 0; n < folded; n++) {
                bulk.append("{\"index\":{}}\n{\"user\":\"u").append(random.nextInt(users)).append("\",\"item\":\"i")
                    .append(zipf.sample(random)).append("\",\"@timestamp\":").append(1_800_000_000_000L + n).append("}\n");
                if ((n + 1) % 200 == 0) {
                    JsonHttp.Response r = ok(http.postNdjson("/big_events/_bulk?pipeline=big", bulk.toString()));
                    if (r.json().path("errors").asBoolean()) {
                        throw new IllegalStateException(r.body().substring(0, 2000));
                    }
                    bulk.setLength(0);
                }
            }
            long foldMs = (System.nanoTime() - t2) / 1_000_000;
            System.out.printf(Locale.ROOT, "folded in %d events after the import through the processor: %.0f events/s%n", folded,
                folded * 1000.0 / foldMs);
            JsonNode recommended = ok(http.post("/big_items/_recommend", "{\"model\":\"big\",\"user\":\"u7\",\"size\":5}")).json();
            System.out.println("_recommend for u7: " + recommended.at("/recommendations").size() + " items, took "
                + recommended.path("took"));
        }
    }

    /** Item ranks drawn with probability ∝ 1/(r+1)^s, by inverting the cumulative distribution. */
    private static final class ZipfItems {
        private final double[] cumulative;

        ZipfItems(int n, double s) {
            cumulative = new double[n];
            double sum = 0;
            for (int r = 0; r < n; r++) {
                sum += 1 / Math.pow(r + 1, s);
                cumulative[r] = sum;
            }
            for (int r = 0; r < n; r++) {
                cumulative[r] /= sum;
            }
        }

        int sample(SplittableRandom random) {
            int at = java.util.Arrays.binarySearch(cumulative, random.nextDouble());
            return at >= 0 ? at : Math.min(cumulative.length - 1, -at - 1);
        }
    }
}
