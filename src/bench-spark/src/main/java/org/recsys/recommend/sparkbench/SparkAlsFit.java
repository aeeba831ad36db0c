/*
 * Spark MLlib implicit-ALS reference timing.
 *
 * Why this exists: the plugin's in-cluster ALS training time is only meaningful next to
 * a well-known implementation run on the same machine on the same day (this machine's
 * speed varies from day to day). This program times Spark's ALS.fit on a MovieLens split
 * with the same hyper-parameters and, optionally, checks its nDCG@10 so we know Spark
 * learned something comparable.
 *
 * This is a standalone Maven project, not a module of the top-level pom: Spark pulls in
 * ~190 jars (~310 MB) that must never reach the plugin build.
 *
 * `./run bench-training` (at the top of the repository) builds and runs it next to the plugin's own training, alternating;
 * by hand:
 *
 * Build (Java 17; Spark 4.0 supports 17 and 21):
 *
 *   cd src/bench-spark && JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 \
 *     mvn -B -ntp -q package dependency:build-classpath -Dmdep.outputFile=target/classpath
 *
 * Run (from the same directory; the dataset is read in place, never copied into the repo):
 *
 *   SPARK_LOCAL_IP=127.0.0.1 /usr/lib/jvm/java-17-openjdk-amd64/bin/java -Xmx4g \
 *     --add-modules=jdk.incubator.vector \
 *     -cp target/classes:$(cat target/classpath) org.recsys.recommend.sparkbench.SparkAlsFit \
 *     --train $DATA/ml-100k/splits/implicit-r4-80-20-seed42/train.tsv \
 *     --test  $DATA/ml-100k/splits/implicit-r4-80-20-seed42/test.tsv
 *
 * JVM flags, and why:
 * - --add-modules=jdk.incubator.vector: Spark's own launcher (spark-submit) adds it, so
 *   netlib can use VectorBLAS instead of the plain-Java F2J BLAS; kept so the JVM matches a
 *   normal Spark run. On ml-100k at rank 128 it made no measurable difference (same nDCG,
 *   times within noise). Expect the harmless JVM line
 *   "WARNING: Using incubator modules: jdk.incubator.vector".
 * - No --add-opens: this program (local mode, ALS, DataFrame reads) runs on Java 17
 *   without any; Spark falls back quietly where it cannot reflect into java.base. If a
 *   change hits InaccessibleObjectException, take the flags from Spark's launcher list
 *   (org.apache.spark.launcher.JavaModuleOptions).
 * - SPARK_LOCAL_IP=127.0.0.1: spark.driver.host/bindAddress (set below) keep the sockets on
 *   loopback, but Spark still picks a non-loopback interface address for its own host
 *   name (and warns about it) unless this variable is set.
 * - No native BLAS/LAPACK is installed, so netlib logs that JNIBLAS and JNILAPACK failed to
 *   load; that is expected (pure-Java LAPACK only solves the small rank x rank systems).
 *
 * Options: --train FILE (TSV user<TAB>item<TAB>1<TAB>timestamp), --test FILE (optional),
 * --rank 128, --reg 0.5, --alpha 10, --iterations 15, --seed 42, --fits 3, --master local[2],
 * --export DIR (optional: the last fit's factors to DIR/users.tsv and DIR/items.tsv, id<TAB>comma-separated floats, for
 * the plugin's bench.SparkFoldInCheck, which folds every user in against them).
 *
 * Output: "spark session start: N ms" (JVM start to session ready), then one line per fit,
 * e.g. "spark fit 1 of 3 (rank 128, 15 iterations, local[2]): 13912 ms" (fit() plus the factor
 * counts), each followed by an indented line that splits it in two. Fit 1 is the cold
 * one (JIT, class loading, first shuffle): it is the figure to compare with a first
 * training on a freshly started server; later fits show the warm cost.
 */
package org.recsys.recommend.sparkbench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

public final class SparkAlsFit {

    private static final int K = 10;

    private SparkAlsFit() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = parseArgs(args);
        String train = opt.get("train");
        String test = opt.get("test");
        int rank = Integer.parseInt(opt.getOrDefault("rank", "128"));
        double reg = Double.parseDouble(opt.getOrDefault("reg", "0.5"));
        double alpha = Double.parseDouble(opt.getOrDefault("alpha", "10"));
        int iterations = Integer.parseInt(opt.getOrDefault("iterations", "15"));
        long seed = Long.parseLong(opt.getOrDefault("seed", "42"));
        int fits = Integer.parseInt(opt.getOrDefault("fits", "3"));
        String master = opt.getOrDefault("master", "local[2]");
        String export = opt.get("export");
        if (train == null || fits < 1) {
            usage();
        }

        SparkSession spark = SparkSession.builder()
            .appName("recommend-spark-bench")
            .master(master)
            // No web UI: it costs startup time and opens a port we do not want.
            .config("spark.ui.enabled", "false")
            // Loopback only: this machine must not listen on or talk to other addresses.
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            // The default of 200 shuffle partitions is sized for clusters; on 2 local cores
            // and ~80k ratings it would only add task-scheduling overhead to the DataFrame
            // steps. ALS's own RDD shuffles use its user/item block counts (default 10).
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.printf("spark session start: %d ms%n", System.currentTimeMillis() - jvmStart);

        try {
            // Read, cache and count before any timing: reading the file is not part of a fit.
            StructType schema = new StructType()
                .add("user", DataTypes.IntegerType)
                .add("item", DataTypes.IntegerType)
                .add("value", DataTypes.IntegerType)
                .add("ts", DataTypes.LongType);
            Dataset<Row> ratings = spark.read().option("sep", "\t").schema(schema).csv(train)
                .select(col("user"), col("item"), lit(1.0f).as("rating"))
                .cache();
            long n = ratings.count();
            System.out.printf("train: %d interactions (read and cached before timing)%n", n);

            ALSModel model = null;
            for (int f = 1; f <= fits; f++) {
                ALS als = new ALS()
                    .setImplicitPrefs(true)
                    .setRank(rank)
                    .setRegParam(reg)
                    .setAlpha(alpha)
                    .setMaxIter(iterations)
                    .setSeed(seed)
                    .setUserCol("user")
                    .setItemCol("item")
                    .setRatingCol("rating");
                long t0 = System.nanoTime();
                model = als.fit(ratings);
                long t1 = System.nanoTime();
                // Spark 4.0's ALS.train already persists and counts both factor RDDs (default
                // finalStorageLevel MEMORY_AND_DISK), so fit() returns trained factors; the
                // counts below are cheap then, and guarantee that no lazy work escapes the
                // timing should a Spark version or setting (finalStorageLevel NONE) change it.
                long users = model.userFactors().count();
                long items = model.itemFactors().count();
                long t2 = System.nanoTime();
                System.out.printf("spark fit %d of %d (rank %d, %d iterations, %s): %d ms%n",
                    f, fits, rank, iterations, master, (t2 - t0) / 1_000_000);
                System.out.printf("  (fit() %d ms + factor count() %d ms; %d user, %d item factors)%n",
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, users, items);
            }

            if (test != null) {
                evaluate(model, train, test);
            }
            if (export != null) {
                Files.createDirectories(Path.of(export));
                write(collectFactors(model.userFactors()), Path.of(export, "users.tsv"));
                write(collectFactors(model.itemFactors()), Path.of(export, "items.tsv"));
                System.out.println("factors written to " + export);
            }
        } finally {
            spark.stop();
        }
    }

    /**
     * nDCG@10, protocol P1: for each test user, rank every item that has a factor by dot
     * product, skip the user's train items, take the top 10; binary gains. Users without a
     * factor score 0 but still count, so that the mean is over all test users.
     */
    private static void evaluate(ALSModel model, String trainFile, String testFile) throws IOException {
        Map<Integer, float[]> userF = collectFactors(model.userFactors());
        Map<Integer, float[]> itemF = collectFactors(model.itemFactors());
        int[] itemIds = itemF.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        float[][] itemVecs = new float[itemIds.length][];
        for (int i = 0; i < itemIds.length; i++) {
            itemVecs[i] = itemF.get(itemIds[i]);
        }

        Map<Integer, Set<Integer>> trainItems = readUserItems(trainFile);
        Map<Integer, Set<Integer>> testItems = readUserItems(testFile);

        double sum = 0;
        int usersNoFactor = 0;
        for (Map.Entry<Integer, Set<Integer>> e : testItems.entrySet()) {
            float[] u = userF.get(e.getKey());
            if (u == null) {
                usersNoFactor++;
                continue;
            }
            Set<Integer> seen = trainItems.getOrDefault(e.getKey(), Set.of());
            int[] top = topK(u, itemIds, itemVecs, seen);
            Set<Integer> relevant = e.getValue();
            double dcg = 0;
            for (int r = 0; r < top.length; r++) {
                if (relevant.contains(top[r])) {
                    dcg += 1.0 / log2(r + 2);
                }
            }
            double idcg = 0;
            for (int r = 0; r < Math.min(relevant.size(), K); r++) {
                idcg += 1.0 / log2(r + 2);
            }
            sum += dcg / idcg;
        }
        int nUsers = testItems.size();
        System.out.printf(Locale.ROOT, "nDCG@10 on test: %.4f over %d users (%d without a user factor, scored 0)%n",
            nUsers == 0 ? 0.0 : sum / nUsers, nUsers, usersNoFactor);
    }

    /** Top-K item ids by score, ties broken by lower item id so the result is deterministic. */
    private static int[] topK(float[] u, int[] itemIds, float[][] itemVecs, Set<Integer> exclude) {
        int[] best = new int[K];
        double[] bestScore = new double[K];
        int size = 0;
        for (int i = 0; i < itemIds.length; i++) {
            if (exclude.contains(itemIds[i])) {
                continue;
            }
            double s = 0;
            float[] v = itemVecs[i];
            for (int d = 0; d < u.length; d++) {
                s += (double) u[d] * v[d];
            }
            // itemIds are ascending, so a strict '>' keeps the lower id on ties.
            if (size == K && s <= bestScore[K - 1]) {
                continue;
            }
            int pos = size < K ? size++ : K - 1;
            while (pos > 0 && s > bestScore[pos - 1]) {
                best[pos] = best[pos - 1];
                bestScore[pos] = bestScore[pos - 1];
                pos--;
            }
            best[pos] = itemIds[i];
            bestScore[pos] = s;
        }
        int[] out = new int[size];
        System.arraycopy(best, 0, out, 0, size);
        return out;
    }

    private static Map<Integer, float[]> collectFactors(Dataset<Row> factors) {
        Map<Integer, float[]> out = new HashMap<>();
        for (Row r : factors.collectAsList()) {
            List<Float> f = r.getList(1);
            float[] v = new float[f.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = f.get(i);
            }
            out.put(r.getInt(0), v);
        }
        return out;
    }

    private static void write(Map<Integer, float[]> factors, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<Integer, float[]> e : factors.entrySet()) {
            StringBuilder line = new StringBuilder().append(e.getKey()).append('\t');
            float[] v = e.getValue();
            for (int d = 0; d < v.length; d++) {
                line.append(d == 0 ? "" : ",").append(Float.toString(v[d]));
            }
            lines.add(line.toString());
        }
        Files.write(file, lines);
    }

    private static Map<Integer, Set<Integer>> readUserItems(String file) throws IOException {
        Map<Integer, Set<Integer>> out = new HashMap<>();
        for (String line : Files.readAllLines(Path.of(file))) {
            if (line.isBlank()) {
                continue;
            }
            String[] p = line.split("\t");
            out.computeIfAbsent(Integer.parseInt(p[0]), k -> new HashSet<>()).add(Integer.parseInt(p[1]));
        }
        return out;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static Map<String, String> parseArgs(String[] args) {
        Set<String> known = Set.of("train", "test", "rank", "reg", "alpha", "iterations", "seed", "fits", "master", "export");
        Map<String, String> out = new HashMap<>();
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String a = rest.remove(0);
            if (!a.startsWith("--") || !known.contains(a.substring(2)) || rest.isEmpty()) {
                usage();
            }
            out.put(a.substring(2), rest.remove(0));
        }
        return out;
    }

    private static void usage() {
        System.err.println("usage: SparkAlsFit --train FILE [--test FILE] [--rank 128] [--reg 0.5] [--alpha 10]"
            + " [--iterations 15] [--seed 42] [--fits 3] [--master local[2]] [--export DIR]");
        System.exit(2);
    }
}
