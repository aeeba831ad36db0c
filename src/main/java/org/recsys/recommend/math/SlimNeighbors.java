package org.recsys.recommend.math;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Neighbor lists from non-negative SLIM without the L1 term (Ning &amp; Karypis 2011; the L2-only, non-negative variant
 * Steck et al. 2020 solve by ADMM): B = argmin ‖X − XB‖² + λ‖B‖² subject to B ≥ 0 and diag(B) = 0 over the binary user ×
 * item matrix X. EASE is the same model without B ≥ 0; the sign constraint matters here because a {@code sparse_vector}
 * keeps positive weights only: EASE cut to its positive part scores differently from the model it was fitted as, SLIM's
 * weights are the whole model. Item j's list holds (i, B_ij), so the neighbor signal's sum over a history is SLIM's score.
 *
 * <p>The columns of B are independent non-negative least-squares problems with the same matrix A = XᵀX + λI:
 * minimise bᵀAb − 2 gᵀb over b ≥ 0 with b_j = 0, where g = XᵀX e_j. Each is solved exactly, to a tolerance, by cyclic
 * coordinate descent with the gradient r = Ab − g kept up to date: a coordinate moves to max(0, b_i − r_i / A_ii) and a
 * move of δ adds δ·A_i to r. The solution is sparse (176 positive weights per item on average out of 1,682 on MovieLens
 * 100k), so a sweep costs n comparisons plus one row of A per weight that moves. Deterministic: each column is solved
 * sequentially in a fixed order, whatever the threading.
 *
 * <p>Memory: A, dense (n² doubles: 22 MB for 1,682 items, 800 MB for 10,000); {@link #bytesNeeded} is what the training
 * budget checks. Time: sweeps × (n + moving weights × n) per column: about 8 s on one thread for MovieLens 100k's 1,682 items
 * (28 sweeps per column on average), seconds more than EASE, so neither is the training's default.
 */
public final class SlimNeighbors {

    /** Sweeps stop when no weight moves by more than this fraction of the column's largest weight. */
    static final double TOLERANCE = 1e-6;
    /** A column that has not converged after this many sweeps keeps what it has, and is counted (not seen for λ > 0). */
    static final int MAX_SWEEPS = 500;

    /** The lists, and how many columns stopped at the sweep limit short of the tolerance (0: every column solved). */
    public record Fit(ItemNeighbors.Lists lists, int unconvergedColumns) {}

    private SlimNeighbors() {}

    /** Memory the computation holds for {@code items} items: A (each thread's three scratch vectors are negligible). */
    public static long bytesNeeded(int items) {
        return (long) items * items * Double.BYTES;
    }

    public static Fit compute(
        Interactions userItems,
        int k,
        double lambda,
        Executor executor,
        int parallelism,
        BooleanSupplier cancelled
    ) throws InterruptedException {
        return compute(userItems, k, lambda, MAX_SWEEPS, executor, parallelism, cancelled);
    }

    static Fit compute(
        Interactions userItems,
        int k,
        double lambda,
        int maxSweeps,
        Executor executor,
        int parallelism,
        BooleanSupplier cancelled
    ) throws InterruptedException {
        if (Double.isFinite(lambda) == false || lambda <= 0) {
            throw new IllegalArgumentException("SLIM needs lambda > 0, got " + lambda);
        }
        int n = userItems.cols();
        double[] a = EaseNeighbors.gram(userItems, n, lambda); // XᵀX + λI; off the diagonal it is g of every column
        ParallelChunks.throwIfCancelled(cancelled);
        int[][] neighbors = new int[n][];
        float[][] weights = new float[n][];
        AtomicInteger unconverged = new AtomicInteger();
        ParallelChunks.run(n, parallelism * 4, executor, cancelled, (from, to) -> {
            double[] b = new double[n];
            double[] r = new double[n];
            long[] keys = new long[n];
            for (int j = from; j < to && cancelled.getAsBoolean() == false; j++) {
                if (solveColumn(a, n, j, b, r, maxSweeps) == false) {
                    unconverged.incrementAndGet();
                }
                ItemNeighbors.topWeights(b, j, k, keys, neighbors, weights);
            }
        });
        return new Fit(new ItemNeighbors.Lists(neighbors, weights), unconverged.get());
    }

    /** Column j of B into {@code b} (b_j = 0); {@code r} is scratch. False: stopped at {@code maxSweeps}, short of the tolerance. */
    static boolean solveColumn(double[] a, int n, int j, double[] b, double[] r, int maxSweeps) {
        int rowJ = j * n;
        for (int i = 0; i < n; i++) {
            b[i] = 0;
            r[i] = -a[rowJ + i]; // r = A·0 − g, g_i = (XᵀX)_ij = A_ji off the diagonal (A is symmetric)
        }
        for (int sweep = 0; sweep < maxSweeps; sweep++) {
            double largestMove = 0;
            double largestWeight = 0;
            for (int i = 0; i < n; i++) {
                if (i == j || (b[i] == 0 && r[i] >= 0)) {
                    continue; // b_j is held at 0; a zero weight whose gradient points away from positive values stays 0
                }
                int rowI = i * n;
                double next = Math.max(0, b[i] - r[i] / a[rowI + i]);
                double move = next - b[i];
                if (move != 0) {
                    b[i] = next;
                    for (int p = 0; p < n; p++) {
                        r[p] += move * a[rowI + p]; // A is symmetric: its row i is its column i
                    }
                    largestMove = Math.max(largestMove, Math.abs(move));
                }
                largestWeight = Math.max(largestWeight, next);
            }
            if (largestMove <= TOLERANCE * largestWeight) {
                return true;
            }
        }
        return false;
    }
}
