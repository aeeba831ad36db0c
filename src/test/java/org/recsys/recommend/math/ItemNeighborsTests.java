package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ItemNeighborsTests {

    @Test
    void topKMatchesBruteForceCosine() throws InterruptedException {
        Random random = new Random(5);
        int users = 120;
        int items = 60;
        Interactions data = RandomInteractions.draw(random, users, items, 900, 3); // strengths do not matter: X is binary
        boolean[][] has = new boolean[users][items];
        for (int u = 0; u < users; u++) {
            for (int p = data.indptr()[u]; p < data.indptr()[u + 1]; p++) {
                has[u][data.indices()[p]] = true;
            }
        }
        ItemNeighbors.Lists lists = ItemNeighbors.compute(data, 7, Runnable::run, 3, () -> false);
        for (int j = 0; j < items; j++) {
            int item = j;
            double[] sim = new double[items];
            for (int i = 0; i < items; i++) {
                int co = 0;
                int ni = 0;
                int nj = 0;
                for (int u = 0; u < users; u++) {
                    co += has[u][i] && has[u][item] ? 1 : 0;
                    ni += has[u][i] ? 1 : 0;
                    nj += has[u][item] ? 1 : 0;
                }
                sim[i] = co == 0 || i == item ? 0 : co / Math.sqrt((double) ni * nj);
            }
            List<Integer> expected = IntStream.range(0, items)
                .filter(i -> sim[i] > 0)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -(float) sim[i]).thenComparingInt(i -> i))
                .limit(7)
                .toList();
            assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), lists.neighbors()[j], "item " + j);
            for (int r = 0; r < expected.size(); r++) {
                assertEquals(sim[expected.get(r)], lists.similarities()[j][r], 1e-6);
            }
        }
    }

    /** A sparse_vector refuses a document with a subnormal value (SLIM's coordinate descent can leave one): never listed. */
    @Test
    void listsHoldOnlyWeightsASparseVectorAccepts() {
        double[] b = { 0.5, 1e-40, Float.MIN_NORMAL, -0.2, Double.POSITIVE_INFINITY, 0.25, 7 };
        int[][] neighbors = new int[7][];
        float[][] weights = new float[7][];
        ItemNeighbors.topWeights(b, 6, 10, new long[7], neighbors, weights);
        assertArrayEquals(new int[] { 0, 5, 2 }, neighbors[6]);
        assertArrayEquals(new float[] { 0.5f, 0.25f, Float.MIN_NORMAL }, weights[6]);
    }
}
