package org.recsys.recommend.math;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ALS on data with a planted structure: 6 taste clusters, users interacting mostly inside their own. */
class ImplicitAlsTests {

    private static final int USERS = 300;
    private static final int ITEMS = 240;
    private static final int CLUSTERS = 6;
    private static ExecutorService pool;

    private final Interactions data = planted(new Random(11));

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void recoversThePlantedClusters() throws InterruptedException {
        ImplicitAls.Factors f = new ImplicitAls(16, 0.1, 10, 3, 42).fit(data, 10, pool, 2, () -> false, (i, n) -> {});
        int inCluster = 0;
        int total = 0;
        for (int u = 0; u < USERS; u++) {
            Set<Integer> seen = seen(u);
            int user = u;
            List<Integer> top = IntStream.range(0, ITEMS)
                .filter(i -> seen.contains(i) == false)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -dot(f.users()[user], f.items()[i])))
                .limit(10)
                .toList();
            for (int i : top) {
                inCluster += i % CLUSTERS == u % CLUSTERS ? 1 : 0;
                total++;
            }
        }
        // 90 % of interactions are planted in-cluster; a working model recommends in-cluster far above the 1/6 chance level.
        double precision = inCluster / (double) total;
        assertTrue(precision > 0.9, "in-cluster share of top-10 recommendations: " + precision);
    }

    @Test
    void theObjectiveNeverIncreasesBetweenIterations() throws InterruptedException {
        double previous = Double.POSITIVE_INFINITY;
        for (int iterations = 1; iterations <= 6; iterations++) {
            // the same seed replays the same trajectory, so fitting n iterations gives the n-th point of one run
            ImplicitAls.Factors f = new ImplicitAls(8, 0.1, 10, 3, 7).fit(data, iterations, pool, 2, () -> false, (i, n) -> {});
            double loss = loss(f, 0.1, 10);
            assertTrue(loss <= previous * (1 + 1e-6), "iteration " + iterations + ": " + loss + " > " + previous);
            previous = loss;
        }
    }

    @Test
    void withWeightedRegularizationTheWeightedObjectiveNeverIncreases() throws InterruptedException {
        // ALS-WR: each row's λ times its number of positive entries; the plain objective may rise, the weighted one may not
        double previous = Double.POSITIVE_INFINITY;
        double[] plain = new double[7];
        for (int iterations = 1; iterations <= 6; iterations++) {
            ImplicitAls.Factors f = new ImplicitAls(8, 0.02, 10, 8, 7, true).fit(data, iterations, pool, 2, () -> false, (i, n) -> {});
            double loss = weightedLoss(f, 0.02, 10);
            assertTrue(loss <= previous * (1 + 1e-6), "iteration " + iterations + ": " + loss + " > " + previous);
            previous = loss;
            plain[iterations] = loss(f, 0.02, 10);
        }
        ImplicitAls.Factors constant = new ImplicitAls(8, 0.02, 10, 8, 7).fit(data, 6, pool, 2, () -> false, (i, n) -> {});
        assertTrue(Math.abs(loss(constant, 0.02, 10) - plain[6]) > 1e-3 * plain[6], "the two modes fit different factors");
    }

    /** The objective with each user's and item's regularization scaled by its number of positive entries. */
    private double weightedLoss(ImplicitAls.Factors f, double lambda, double alpha) {
        double loss = loss(f, 0, alpha);
        int[] itemCounts = new int[ITEMS];
        for (int u = 0; u < USERS; u++) {
            int n = 0;
            for (int p = data.indptr()[u]; p < data.indptr()[u + 1]; p++) {
                if (data.values()[p] > 0) {
                    n++;
                    itemCounts[data.indices()[p]]++;
                }
            }
            loss += lambda * n * dot(f.users()[u], f.users()[u]);
        }
        for (int i = 0; i < ITEMS; i++) {
            loss += lambda * itemCounts[i] * dot(f.items()[i], f.items()[i]);
        }
        return loss;
    }

    @Test
    void aSeedFixesTheResultWhateverTheThreadingAndTheJit() throws InterruptedException {
        // 64 factors: whole SIMD chunks, so the dot products run vectorized. The first fit runs partly interpreted, the
        // last fully compiled; with lane sums whose order depends on the JIT tier (VectorUtil's) they differed
        ImplicitAls als = new ImplicitAls(64, 0.1, 10, 3, 5);
        ImplicitAls.Factors first = als.fit(data, 3, pool, 2, () -> false, (i, n) -> {});
        ImplicitAls.Factors oneThread = als.fit(data, 3, Runnable::run, 1, () -> false, (i, n) -> {});
        for (int warm = 0; warm < 30; warm++) {
            als.fit(data, 3, Runnable::run, 1, () -> false, (i, n) -> {});
        }
        ImplicitAls.Factors last = als.fit(data, 3, pool, 2, () -> false, (i, n) -> {});
        for (int u = 0; u < USERS; u++) {
            assertArrayEquals(first.users()[u], oneThread.users()[u], "user " + u + ", one thread");
            assertArrayEquals(first.users()[u], last.users()[u], "user " + u + ", after the JIT compiled the solver");
        }
    }

    /** The full objective over every user-item pair, as the paper writes it. */
    private double loss(ImplicitAls.Factors f, double lambda, double alpha) {
        double loss = 0;
        for (int u = 0; u < USERS; u++) {
            float[] r = new float[ITEMS];
            for (int p = data.indptr()[u]; p < data.indptr()[u + 1]; p++) {
                r[data.indices()[p]] = data.values()[p];
            }
            for (int i = 0; i < ITEMS; i++) {
                double c = 1 + alpha * r[i];
                double pref = r[i] > 0 ? 1 : 0;
                double e = pref - dot(f.users()[u], f.items()[i]);
                loss += c * e * e;
            }
        }
        for (float[] x : f.users()) {
            loss += lambda * dot(x, x);
        }
        for (float[] y : f.items()) {
            loss += lambda * dot(y, y);
        }
        return loss;
    }

    private Set<Integer> seen(int u) {
        Set<Integer> s = new HashSet<>();
        for (int p = data.indptr()[u]; p < data.indptr()[u + 1]; p++) {
            s.add(data.indices()[p]);
        }
        return s;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }

    private static Interactions planted(Random random) {
        List<int[]> cells = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            for (int n = 0; n < 20; n++) {
                int cluster = random.nextDouble() < 0.9 ? u % CLUSTERS : random.nextInt(CLUSTERS);
                int item = cluster + CLUSTERS * random.nextInt(ITEMS / CLUSTERS);
                cells.add(new int[] { u, item });
            }
        }
        int[] rows = cells.stream().mapToInt(c -> c[0]).toArray();
        int[] cols = cells.stream().mapToInt(c -> c[1]).toArray();
        float[] values = new float[cells.size()];
        java.util.Arrays.fill(values, 1f);
        return Interactions.fromTriples(USERS, ITEMS, rows, cols, values);
    }
}
