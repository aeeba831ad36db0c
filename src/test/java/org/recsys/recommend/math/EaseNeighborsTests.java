package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;
import org.recsys.recommend.testing.GaussianElimination;

import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EaseNeighborsTests {

    /** Against B = −P_ij / P_jj with P inverted here by Gaussian elimination, on random data, on a thread pool. */
    @Test
    void listsAreTheLargestPositiveWeightsOfTheClosedForm() throws InterruptedException {
        Random random = new Random(11);
        int users = 150;
        int items = 40;
        Interactions data = RandomInteractions.draw(random, users, items, 1200, 4); // strengths do not matter: X is binary
        double lambda = 7.5;
        double[][] g = RandomInteractions.binaryGram(data, lambda);
        double[][] p = GaussianElimination.invert(g);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        ItemNeighbors.Lists lists;
        try {
            lists = EaseNeighbors.compute(data, 6, lambda, pool, 3, () -> false);
        } finally {
            pool.shutdown();
        }
        for (int j = 0; j < items; j++) {
            int target = j;
            float[] b = new float[items];
            for (int i = 0; i < items; i++) {
                b[i] = i == target ? 0 : (float) (-p[i][target] / p[target][target]);
            }
            List<Integer> expected = IntStream.range(0, items)
                .filter(i -> b[i] > 0)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -b[i]).thenComparingInt(i -> i))
                .limit(6)
                .toList();
            assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), lists.neighbors()[j], "item " + j);
            for (int r = 0; r < expected.size(); r++) {
                assertEquals(b[expected.get(r)], lists.similarities()[j][r], 1e-5 * Math.abs(b[expected.get(r)]), "item " + j);
            }
        }
    }

    /** Two groups of items that never share a user: every positive weight stays inside an item's own group. */
    @Test
    void plantedGroupsAreRecovered() throws InterruptedException {
        int items = 10;
        Interactions data = RandomInteractions.plantedGroups(40);
        ItemNeighbors.Lists lists = EaseNeighbors.compute(data, 4, 1.0, Runnable::run, 1, () -> false);
        for (int j = 0; j < items; j++) {
            assertTrue(lists.neighbors()[j].length > 0, "item " + j + " has neighbors");
            for (int i : lists.neighbors()[j]) {
                assertEquals(j < 5, i < 5, "item " + j + " lists " + i);
            }
        }
    }

    @Test
    void lambdaMustBePositive() {
        Interactions data = Interactions.fromTriples(1, 2, new int[] { 0 }, new int[] { 1 }, new float[] { 1 });
        assertThrows(IllegalArgumentException.class, () -> EaseNeighbors.compute(data, 3, 0, Runnable::run, 1, () -> false));
    }
}
