package org.recsys.recommend.bench;

import org.recsys.recommend.math.FoldInSolver;
import org.recsys.recommend.math.Gramian;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Does the plugin's fold-in compute what Spark MLlib trained? Reads the factors {@code SparkAlsFit --export DIR} wrote and
 * the training file, folds every user's training history in against Spark's item factors (Gramian over all of them, the
 * same λ and α), with weighted regularization (what Spark's ALS does: λ times the user's number of ratings) and with
 * constant λ, and reports the relative error against Spark's own user vectors: median, 99th percentile and maximum.
 *
 * <pre>
 * (cd src/bench-spark &amp;&amp; SPARK_LOCAL_IP=127.0.0.1 /usr/lib/jvm/java-17-openjdk-amd64/bin/java -Xmx4g \
 *   -cp "target/classes:$(cat target/classpath)" org.recsys.recommend.sparkbench.SparkAlsFit \
 *   --train $SPLIT/train.tsv --rank 64 --reg 0.05 --alpha 10 --iterations 15 --fits 1 --export /tmp/spark-factors)
 * java -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" org.recsys.recommend.bench.SparkFoldInCheck \
 *   --train $SPLIT/train.tsv --factors /tmp/spark-factors --reg 0.05 --alpha 10
 * </pre>
 */
public final class SparkFoldInCheck {

    private SparkFoldInCheck() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        Path train = Path.of(options.get("--train"));
        Path factors = Path.of(options.get("--factors"));
        double reg = Double.parseDouble(options.getOrDefault("--reg", "0.05"));
        double alpha = Double.parseDouble(options.getOrDefault("--alpha", "10"));
        Map<String, float[]> users = read(factors.resolve("users.tsv"));
        Map<String, float[]> items = read(factors.resolve("items.tsv"));
        int k = items.values().iterator().next().length;
        Gramian gramian = new Gramian(k);
        items.values().forEach(gramian::add);
        Map<String, Map<String, Float>> histories = new LinkedHashMap<>();
        for (String line : Files.readAllLines(train)) {
            String[] f = line.split("\t");
            histories.computeIfAbsent(f[0], u -> new LinkedHashMap<>()).merge(f[1], 1f, Float::sum); // Spark read 1.0 per row
        }
        for (boolean weighted : new boolean[] { true, false }) {
            FoldInSolver solver = new FoldInSolver(gramian.matrix(), k, reg, alpha, weighted);
            List<Double> errors = new ArrayList<>();
            for (Map.Entry<String, Map<String, Float>> user : histories.entrySet()) {
                float[] spark = users.get(user.getKey());
                if (spark == null) {
                    continue;
                }
                List<float[]> ys = new ArrayList<>();
                float[] r = new float[user.getValue().size()];
                int n = 0;
                for (Map.Entry<String, Float> item : user.getValue().entrySet()) {
                    ys.add(items.get(item.getKey()));
                    r[n++] = item.getValue();
                }
                errors.add(relativeError(solver.solve(ys, r), spark));
            }
            double[] sorted = errors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "%s regularization: %d users, relative error median %.2e, p99 %.2e, max %.2e%n",
                weighted ? "weighted" : "constant", sorted.length, sorted[sorted.length / 2],
                sorted[(int) Math.floor(0.99 * (sorted.length - 1))], sorted[sorted.length - 1]);
        }
    }

    private static double relativeError(float[] actual, float[] expected) {
        double error = 0;
        double norm = 0;
        for (int d = 0; d < expected.length; d++) {
            error += Math.pow(actual[d] - expected[d], 2);
            norm += (double) expected[d] * expected[d];
        }
        return Math.sqrt(error / Math.max(norm, Double.MIN_NORMAL));
    }

    private static Map<String, float[]> read(Path file) throws IOException {
        Map<String, float[]> out = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\t");
            float[] v = new float[0];
            String[] values = f[1].split(",");
            v = Arrays.copyOf(v, values.length);
            for (int d = 0; d < values.length; d++) {
                v[d] = Float.parseFloat(values[d]);
            }
            out.put(f[0], v);
        }
        return out;
    }
}
