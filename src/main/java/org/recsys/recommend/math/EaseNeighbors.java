package org.recsys.recommend.math;

import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * Neighbor lists from EASE (Steck, "Embarrassingly Shallow Autoencoders", 2019): the item-item weights
 * B = argmin ‖X − XB‖² + λ‖B‖² subject to diag(B) = 0 over the binary user × item matrix X, in closed form from
 * P = (XᵀX + λI)⁻¹ as B_ij = −P_ij / P_jj. EASE scores item j for a user as Σ over the user's items i of B_ij, which is
 * exactly what the recommend query's neighbor signal sums when item j's list holds (i, B_ij). A {@code sparse_vector}
 * keeps positive values only, so each list holds the item's {@code k} largest positive weights: EASE restricted to them.
 *
 * <p>Cost: the Gram matrix and its Cholesky factor are dense (2 n² doubles for n items) and the solve is O(n³) (the Gram
 * matrix and the factorization on one thread, cancellation checked after each; the n solves on the pool): meant for
 * catalogues of thousands to a few tens of thousands of items; {@link #bytesNeeded} is what the training budget checks.
 */
public final class EaseNeighbors {

    private EaseNeighbors() {}

    /** Memory the computation holds for {@code items} items: the Gram matrix (factored in place) and its transpose. */
    public static long bytesNeeded(int items) {
        return 2L * items * items * Double.BYTES;
    }

    public static ItemNeighbors.Lists compute(
        Interactions userItems,
        int k,
        double lambda,
        Executor executor,
        int parallelism,
        BooleanSupplier cancelled
    ) throws InterruptedException {
        if (lambda <= 0) {
            throw new IllegalArgumentException("EASE needs lambda > 0, got " + lambda);
        }
        int n = userItems.cols();
        double[] l = gram(userItems, n, lambda);
        ParallelChunks.throwIfCancelled(cancelled);
        Cholesky.factorInPlace(l, n); // XᵀX + λI is positive definite for λ > 0
        ParallelChunks.throwIfCancelled(cancelled);
        double[] lt = Cholesky.transposeFactor(l, n);
        int[][] neighbors = new int[n][];
        float[][] weights = new float[n][];
        ParallelChunks.run(n, parallelism * 4, executor, cancelled, (from, to) -> {
            double[] column = new double[n];
            long[] keys = new long[n];
            for (int j = from; j < to && cancelled.getAsBoolean() == false; j++) {
                inverseColumn(l, lt, n, j, column);
                topPositive(column, j, k, keys, neighbors, weights);
            }
        });
        return new ItemNeighbors.Lists(neighbors, weights);
    }

    /** XᵀX + λI for binary X (row-major n × n): each user adds 1 for every pair of their items. */
    static double[] gram(Interactions userItems, int n, double lambda) {
        double[] g = new double[Math.multiplyExact(n, n)];
        int[] indptr = userItems.indptr();
        int[] indices = userItems.indices();
        for (int u = 0; u < userItems.rows(); u++) {
            for (int p = indptr[u]; p < indptr[u + 1]; p++) {
                int row = indices[p] * n;
                for (int q = indptr[u]; q < indptr[u + 1]; q++) {
                    g[row + indices[q]] += 1;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            g[i * n + i] += lambda;
        }
        return g;
    }

    /** Column j of P = (L Lᵀ)⁻¹: L y = e_j (y is 0 above j), then Lᵀ x = y. */
    static void inverseColumn(double[] l, double[] lt, int n, int j, double[] x) {
        Arrays.fill(x, 0, j, 0d);
        for (int i = j; i < n; i++) {
            int row = i * n;
            x[i] = ((i == j ? 1 : 0) - Cholesky.dot(l, row + j, x, j, i - j)) / l[row + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            int row = i * n;
            x[i] = (x[i] - Cholesky.dot(lt, row + i + 1, x, i + 1, n - i - 1)) / lt[row + i];
        }
    }

    /** Item j's list from column j of P: the k largest positive B_ij = −P_ij / P_jj (the column is overwritten with B). */
    private static void topPositive(double[] column, int j, int k, long[] keys, int[][] neighbors, float[][] weights) {
        double pjj = column[j];
        for (int i = 0; i < column.length; i++) {
            column[i] = -column[i] / pjj;
        }
        ItemNeighbors.topWeights(column, j, k, keys, neighbors, weights);
    }
}
