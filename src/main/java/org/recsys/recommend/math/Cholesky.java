package org.recsys.recommend.math;

/**
 * Solves A x = b for a symmetric positive-definite A (row-major k × k) by Cholesky factorization A = L Lᵀ, in place.
 * Fold-in systems are SPD by construction (a Gramian plus λI with λ > 0), so no pivoting is needed.
 */
public final class Cholesky {

    private Cholesky() {}

    /**
     * Overwrites the lower triangle of {@code a} with L and {@code b} with x.
     *
     * @throws IllegalArgumentException when A is not positive definite (a pivot ≤ 0), which λ > 0 rules out
     */
    public static void solveInPlace(double[] a, double[] b, int k) {
        factorInPlace(a, k);
        solveFactored(a, b, k);
    }

    /**
     * Overwrites the lower triangle of {@code a} with L, so that several right-hand sides can then be solved by
     * {@link #solveFactored} at O(k²) each instead of O(k³).
     */
    public static void factorInPlace(double[] a, int k) {
        for (int j = 0; j < k; j++) {
            int rowJ = j * k;
            double diagonal = a[rowJ + j];
            for (int p = 0; p < j; p++) {
                diagonal -= a[rowJ + p] * a[rowJ + p];
            }
            if (diagonal <= 0 || Double.isNaN(diagonal)) {
                throw new IllegalArgumentException("matrix is not positive definite (pivot " + diagonal + " at " + j + ")");
            }
            double ljj = Math.sqrt(diagonal);
            a[rowJ + j] = ljj;
            for (int i = j + 1; i < k; i++) {
                int rowI = i * k;
                double sum = a[rowI + j];
                for (int p = 0; p < j; p++) {
                    sum -= a[rowI + p] * a[rowJ + p];
                }
                a[rowI + j] = sum / ljj;
            }
        }
    }

    /** Overwrites {@code b} with x, where {@code l} holds L from {@link #factorInPlace}. */
    public static void solveFactored(double[] l, double[] b, int k) {
        // forward substitution: L y = b
        for (int i = 0; i < k; i++) {
            int rowI = i * k;
            double sum = b[i];
            for (int p = 0; p < i; p++) {
                sum -= l[rowI + p] * b[p];
            }
            b[i] = sum / l[rowI + i];
        }
        // back substitution: Lᵀ x = y
        for (int i = k - 1; i >= 0; i--) {
            double sum = b[i];
            for (int p = i + 1; p < k; p++) {
                sum -= l[p * k + i] * b[p];
            }
            b[i] = sum / l[i * k + i];
        }
    }
}
