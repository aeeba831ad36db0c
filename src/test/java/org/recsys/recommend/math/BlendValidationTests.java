package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlendValidationTests {

    /**
     * Oracle: every item scored from a dense neighbor matrix by the blend's formula, sorted in full, measured by
     * RankingMetrics on item names: the same nDCG the inverted lists, the partial top-k and the chunked sums give.
     */
    @Test
    void matchesABruteForceRankingScoredByRankingMetrics() throws Exception {
        Random random = new Random(11);
        int users = 60;
        int items = 30;
        int k = 4;
        Interactions data = RandomInteractions.draw(random, users, items, 600, 3);
        HoldoutSplit split = HoldoutSplit.of(data, 0.25, 1, 1_000);
        float[][] x = randomRows(random, users, k);
        float[][] y = randomRows(random, items, k);
        int[][] lists = new int[items][];
        float[][] sims = new float[items][];
        double[][] dense = new double[items][items];
        for (int j = 0; j < items; j++) {
            lists[j] = random.ints(0, items).distinct().limit(5).toArray();
            sims[j] = new float[lists[j].length];
            for (int t = 0; t < lists[j].length; t++) {
                sims[j][t] = random.nextFloat();
                dense[j][lists[j][t]] = sims[j][t];
            }
        }
        float[] popularity = new float[items];
        for (int j = 0; j < items; j++) {
            popularity[j] = random.nextInt(50);
        }
        List<BlendValidation.Blend> blends = List.of(new BlendValidation.Blend(0, 0), new BlendValidation.Blend(0.5, 0.01),
            new BlendValidation.Blend(3, 0));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            double[] fast = BlendValidation.ndcg(split, x, y, new ItemNeighbors.Lists(lists, sims), popularity, blends, 10, pool, 3,
                () -> false);
            for (int b = 0; b < blends.size(); b++) {
                RankingMetrics metrics = new RankingMetrics(10);
                for (int u = 0; u < users; u++) {
                    if (split.heldOut()[u].length == 0) {
                        continue;
                    }
                    metrics.add(bruteForce(split.fit(), u, x[u], y, dense, popularity, blends.get(b)), held(split.heldOut()[u]));
                }
                assertEquals(metrics.ndcg(), fast[b], 1e-9, "blend " + blends.get(b));
                assertTrue(metrics.users() > 40);
            }
        } finally {
            pool.shutdown();
        }
    }

    private static List<String> bruteForce(Interactions fit, int u, float[] x, float[][] y, double[][] dense, float[] popularity,
        BlendValidation.Blend blend) {
        Set<Integer> seen = new HashSet<>();
        for (int p = fit.indptr()[u]; p < fit.indptr()[u + 1]; p++) {
            seen.add(fit.indices()[p]);
        }
        List<double[]> scored = new ArrayList<>();
        for (int j = 0; j < y.length; j++) {
            if (seen.contains(j)) {
                continue;
            }
            double dot = 0;
            for (int d = 0; d < x.length; d++) {
                dot += (double) x[d] * y[j][d];
            }
            double neighbors = 0;
            for (int p = fit.indptr()[u]; p < fit.indptr()[u + 1]; p++) {
                neighbors += fit.values()[p] * dense[j][fit.indices()[p]];
            }
            scored.add(new double[] { j, Math.max(0, dot) + blend.neighbors() * neighbors + blend.popularity() * popularity[j] });
        }
        scored.sort(Comparator.<double[]>comparingDouble(s -> -s[1]).thenComparingDouble(s -> s[0]));
        return scored.stream().map(s -> "i" + (int) s[0]).toList();
    }

    private static Set<String> held(int[] items) {
        Set<String> out = new HashSet<>();
        for (int i : items) {
            out.add("i" + i);
        }
        return out;
    }

    private static float[][] randomRows(Random random, int n, int k) {
        float[][] rows = new float[n][k];
        for (float[] row : rows) {
            for (int d = 0; d < k; d++) {
                row[d] = (float) random.nextGaussian();
            }
        }
        return rows;
    }
}
