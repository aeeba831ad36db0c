package org.recsys.recommend.bench;

import com.fasterxml.jackson.databind.JsonNode;

import org.recsys.recommend.math.RankingMetrics;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealNode;
import org.recsys.recommend.testing.SparkJobProcess;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.recsys.recommend.bench.P1DocumentedPathBenchmark.evaluate;
import static org.recsys.recommend.bench.P1DocumentedPathBenchmark.ok;

/**
 * P1 quality of a Spark-trained model served by the plugin against {@code _train} at the same settings, both scored
 * through {@code _recommend} with the same evaluator: a blank node (with the test-only plugin that answers {@code GET /} for
 * the connector), u.item and the split's train events, a model with weighted regularization (what Spark's ALS does);
 * {@code _train} first (λ derived from the data and stored on the model, 15 iterations, cosine neighbors k 50), scored;
 * then the Spark job with the model's λ and α and the same iterations and k, imported, scored. Target (issue #19): within
 * ±0.005 nDCG@10. The popularity ranking through the same endpoint reproduces the protocol's sanity value (0.1515).
 *
 * <pre>
 * ./run test once (builds src/spark), then
 * java -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" -Drecommend.test.distribution=... \
 *   -Drecommend.test.plugin=... -Drecommend.test.root-info-plugin=target/test-plugins/root-info.zip \
 *   org.recsys.recommend.bench.P1SparkParityBenchmark [--data ../shared/datasets/ml-100k]
 * </pre>
 */
public final class P1SparkParityBenchmark {

    private static final String COLLABORATIVE = ",\"signals\":{\"collaborative\":{\"weight\":1}}";

    private P1SparkParityBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path data = P1QualityBenchmark.dataFolder(args);
        Path split = data.resolve(P1QualityBenchmark.SPLIT);
        List<String[]> train = P1QualityBenchmark.read(split.resolve("train.tsv"));
        Map<String, Set<String>> heldOut = new LinkedHashMap<>();
        P1QualityBenchmark.read(split.resolve("test.tsv")).forEach(r -> heldOut.computeIfAbsent(r[0], u -> new HashSet<>()).add(r[1]));
        try (RealNode node = RealNode.start(NodeSpec.insecure().withHeap("2g").withRootInfo())) {
            JsonHttp http = node.http();
            ok(http.put("/_recommend/model/p1", "{\"items\":{\"index\":\"p1_items\"},\"users\":{\"index\":\"p1_users\"},"
                + "\"factors\":{\"dims\":64,\"regularization\":\"weighted\"}}"));
            ok(http.postNdjson("/_bulk?refresh=true", P1QualityBenchmark.itemsBulk(data, "p1_items")));
            ok(http.put("/p1_train", "{\"mappings\":{\"properties\":{\"user\":{\"type\":\"keyword\"},\"item\":{\"type\":\"keyword\"},"
                + "\"@timestamp\":{\"type\":\"date\"}}}}"));
            StringBuilder bulk = new StringBuilder();
            for (int i = 0; i < train.size(); i++) {
                // the split's own order as time: one second apart, all before the job's cut-off
                bulk.append("{\"index\":{}}\n{\"user\":\"").append(train.get(i)[0]).append("\",\"item\":\"").append(train.get(i)[1])
                    .append("\",\"@timestamp\":").append(1_700_000_000_000L + i * 1000L).append("}\n");
                if ((i + 1) % 10_000 == 0 || i == train.size() - 1) {
                    JsonHttp.Response r = ok(http.postNdjson("/p1_train/_bulk?refresh=true", bulk.toString()));
                    if (r.json().path("errors").asBoolean()) {
                        throw new IllegalStateException(r.body().substring(0, 2000));
                    }
                    bulk.setLength(0);
                }
            }
            System.out.printf(Locale.ROOT, "P1: %d train events, %d test users%n", train.size(), heldOut.size());

            JsonNode trained = ok(http.post("/_recommend/model/p1/_train", "{\"events\":{\"index\":\"p1_train\"},"
                + "\"als\":{\"iterations\":15},\"neighbors\":{\"k\":50}}")).json();
            JsonNode model = ok(http.get("/_recommend/model/p1")).json().at("/p1/factors");
            System.out.println("model after _train: " + model + " (training " + trained.path("took").asLong() + " ms)");
            report("popularity (sanity: 0.1515)", evaluate(http, heldOut,
                ",\"signals\":{\"popularity\":{\"weight\":1,\"normalization\":\"linear\"}}"));
            RankingMetrics trainBlend = evaluate(http, heldOut, "");
            RankingMetrics trainCollab = evaluate(http, heldOut, COLLABORATIVE);
            report("_train, default blend", trainBlend);
            report("_train, collaborative only", trainCollab);

            long start = System.nanoTime();
            SparkJobProcess.Outcome job = SparkJobProcess.runWithHeap("3g", 30, "--es", http.baseUrl(), "--model", "p1", "--run-id",
                "p1", "--events-index", "p1_train", "--iterations", "15", "--neighbors", "50");
            if (job.exitCode() != 0) {
                throw new IllegalStateException("the Spark job failed:\n" + job.stdout() + "\n" + job.stderr());
            }
            job.stdout().lines().filter(l -> l.startsWith("phase ") || l.startsWith("events ") || l.startsWith("als ")).forEach(
                l -> System.out.println("  spark: " + l));
            System.out.printf(Locale.ROOT, "spark job end to end: %d ms%n", (System.nanoTime() - start) / 1_000_000);
            RankingMetrics sparkBlend = evaluate(http, heldOut, "");
            RankingMetrics sparkCollab = evaluate(http, heldOut, COLLABORATIVE);
            report("spark + _import, default blend", sparkBlend);
            report("spark + _import, collaborative only", sparkCollab);
            System.out.printf(Locale.ROOT, "difference (spark − _train) nDCG@10: blend %+.4f, collaborative %+.4f (target ±0.005)%n",
                sparkBlend.ndcg() - trainBlend.ndcg(), sparkCollab.ndcg() - trainCollab.ndcg());
        }
    }

    private static void report(String name, RankingMetrics m) {
        System.out.printf(Locale.ROOT, "%-38s P@10 %.4f  R@10 %.4f  nDCG@10 %.4f  MAP@10 %.4f  HR@10 %.4f  coverage %d%n", name,
            m.precision(), m.recall(), m.ndcg(), m.map(), m.hitRate(), m.coverage());
    }
}
