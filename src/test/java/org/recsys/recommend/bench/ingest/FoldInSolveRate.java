package org.recsys.recommend.bench.ingest;

import org.recsys.recommend.math.FoldInSolver;
import org.recsys.recommend.math.Gramian;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Fold-in solves per second on one thread, constant against weighted regularization (ALS-WR), for histories of 5, 20,
 * k/2 − 1 (the longest short one) and 100 items, with the items' projections remembered as the item factor cache does.
 * Each mode runs twice; the second round is the warm one.
 *
 * <pre>
 * java -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" \
 *   org.recsys.recommend.bench.ingest.FoldInSolveRate 64
 * </pre>
 */
public final class FoldInSolveRate {

    private FoldInSolveRate() {}

    public static void main(String[] args) {
        int k = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        Random random = new Random(1);
        float[][] items = new float[5000][k];
        Gramian gramian = new Gramian(k);
        for (float[] item : items) {
            for (int d = 0; d < k; d++) {
                item[d] = (float) (random.nextGaussian() * 0.3);
            }
            gramian.add(item);
        }
        for (boolean weighted : new boolean[] { false, true, false, true }) {
            long start = System.nanoTime();
            FoldInSolver solver = new FoldInSolver(gramian.matrix(), k, 0.5, 10, weighted);
            long built = System.nanoTime() - start;
            Map<float[], double[]> remembered = new IdentityHashMap<>();
            Function<float[], double[]> projections = y -> remembered.computeIfAbsent(y, solver::project);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "k %d %s (solver built in %.1f ms):", k,
                weighted ? "weighted" : "constant", built / 1e6));
            for (int length : new int[] { 5, 20, k / 2 - 1, 100 }) {
                List<List<float[]>> histories = new ArrayList<>();
                for (int u = 0; u < 200; u++) {
                    List<float[]> history = new ArrayList<>();
                    for (int i = 0; i < length; i++) {
                        history.add(items[random.nextInt(items.length)]);
                    }
                    histories.add(history);
                }
                float[] weights = new float[length];
                Arrays.fill(weights, 1f);
                histories.forEach(h -> solver.solve(h, weights, projections)); // projections remembered, JIT warmed
                long solves = 0;
                long from = System.nanoTime();
                while (System.nanoTime() - from < 1_000_000_000L) {
                    for (List<float[]> history : histories) {
                        solver.solve(history, weights, projections);
                        solves++;
                    }
                }
                line.append(String.format(Locale.ROOT, "  h=%d: %,.0f/s", length, solves / ((System.nanoTime() - from) / 1e9)));
            }
            System.out.println(line);
        }
    }
}
