package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlimNeighborsTests {

    /**
     * Optimality, checked independently of the solver: for each column the weights must satisfy the KKT conditions of
     * min bᵀAb − 2gᵀb over b ≥ 0, b_j = 0, with A = XᵀX + λI and g = XᵀX e_j built here from the raw data — the gradient
     * r = Ab − g vanishes where a weight is positive and is non-negative where it is zero. Every positive weight is listed
     * (k = n), so the lists are the whole solution.
     */
    @Test
    void weightsSolveTheNonNegativeLeastSquaresOfEveryColumn() throws InterruptedException {
        Random random = new Random(5);
        int users = 200;
        int items = 45;
        Interactions data = RandomInteractions.draw(random, users, items, 1600, 4); // strengths do not matter: X is binary
        double lambda = 6;
        double[][] gram = RandomInteractions.binaryGram(data, 0);
        SlimNeighbors.Fit fit = SlimNeighbors.compute(data, items, lambda, Runnable::run, 1, () -> false);
        assertEquals(0, fit.unconvergedColumns(), "every column solved to the tolerance");
        ItemNeighbors.Lists lists = fit.lists();
        int positive = 0;
        int zeroWithPositiveGain = 0;
        for (int j = 0; j < items; j++) {
            double[] b = new double[items];
            for (int n = 0; n < lists.neighbors()[j].length; n++) {
                b[lists.neighbors()[j][n]] = lists.similarities()[j][n];
            }
            assertEquals(0, b[j], "diag(B) = 0");
            for (int i = 0; i < items; i++) {
                if (i == j) {
                    continue;
                }
                double gradient = -gram[i][j] + lambda * b[i];
                for (int p = 0; p < items; p++) {
                    gradient += gram[i][p] * b[p];
                }
                if (b[i] > 0) {
                    positive++;
                    assertEquals(0, gradient, 1e-4, "column " + j + ": gradient at positive weight " + i);
                } else {
                    assertTrue(gradient >= -1e-4, "column " + j + ": weight " + i + " is 0 but raising it lowers the loss: " + gradient);
                    if (gram[i][j] > 0) {
                        zeroWithPositiveGain++; // co-occurs with j and still 0: where the sign constraint binds
                    }
                }
            }
        }
        assertTrue(positive > items, positive + " positive weights");
        assertTrue(zeroWithPositiveGain > 0, "the constraint B >= 0 binds somewhere (otherwise this is EASE's solution)");
    }

    /** The same lists whatever the threading: each column is solved sequentially. */
    @Test
    void listsDoNotDependOnTheThreads() throws InterruptedException {
        Interactions data = RandomInteractions.draw(new Random(8), 120, 30, 900, 3);
        ItemNeighbors.Lists alone = SlimNeighbors.compute(data, 5, 3.0, Runnable::run, 1, () -> false).lists();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        ItemNeighbors.Lists pooled;
        try {
            pooled = SlimNeighbors.compute(data, 5, 3.0, pool, 3, () -> false).lists();
        } finally {
            pool.shutdown();
        }
        for (int j = 0; j < 30; j++) {
            assertArrayEquals(alone.neighbors()[j], pooled.neighbors()[j], "item " + j);
            assertArrayEquals(alone.similarities()[j], pooled.similarities()[j], "item " + j);
            assertTrue(alone.neighbors()[j].length <= 5, "at most k");
        }
    }

    /** Two groups of items that never share a user: every weight stays inside an item's own group. */
    @Test
    void plantedGroupsAreRecovered() throws InterruptedException {
        ItemNeighbors.Lists lists = SlimNeighbors.compute(RandomInteractions.plantedGroups(40), 4, 1.0, Runnable::run, 1,
            () -> false).lists();
        for (int j = 0; j < 10; j++) {
            assertTrue(lists.neighbors()[j].length > 0, "item " + j + " has neighbors");
            for (int i : lists.neighbors()[j]) {
                assertEquals(j < 5, i < 5, "item " + j + " lists " + i);
            }
        }
    }

    /** A column cut off at the sweep limit is counted, not passed off as solved. */
    @Test
    void columnsStoppedAtTheSweepLimitAreCounted() throws InterruptedException {
        Interactions data = RandomInteractions.draw(new Random(5), 200, 45, 1600, 4);
        SlimNeighbors.Fit cut = SlimNeighbors.compute(data, 45, 6, 2, Runnable::run, 1, () -> false);
        assertTrue(cut.unconvergedColumns() > 0, "two sweeps do not solve these columns");
        assertEquals(0, SlimNeighbors.compute(data, 45, 6, Runnable::run, 1, () -> false).unconvergedColumns());
    }

    @Test
    void lambdaMustBePositive() {
        Interactions data = Interactions.fromTriples(1, 2, new int[] { 0 }, new int[] { 1 }, new float[] { 1 });
        assertThrows(IllegalArgumentException.class, () -> SlimNeighbors.compute(data, 3, 0, Runnable::run, 1, () -> false));
    }
}
