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
            double diagonal = a[rowJ + j] - dot(a, rowJ, a, rowJ, j);
            if (diagonal <= 0 || Double.isNaN(diagonal)) {
                throw new IllegalArgumentException("matrix is not positive definite (pivot " + diagonal + " at " + j + ")");
            }
            double ljj = Math.sqrt(diagonal);
            a[rowJ + j] = ljj;
            for (int i = j + 1; i < k; i++) {
                int rowI = i * k;
                a[rowI + j] = (a[rowI + j] - dot(a, rowI, a, rowJ, j)) / ljj;
            }
        }
    }

    /**
     * Σ_p&lt;n a[x + p]·b[y + p] with four running sums: the JIT does not vectorize a floating-point sum (it must keep its
     * order), so independent sums are what lets the processor overlap the multiply-adds. Factorizations and substitutions
     * spend their time in this loop. (The rounding differs from one running sum by a few units in the last place.)
     */
    static double dot(double[] a, int x, double[] b, int y, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int p = 0;
        for (; p + 3 < n; p += 4) {
            s0 += a[x + p] * b[y + p];
            s1 += a[x + p + 1] * b[y + p + 1];
            s2 += a[x + p + 2] * b[y + p + 2];
            s3 += a[x + p + 3] * b[y + p + 3];
        }
        for (; p < n; p++) {
            s0 += a[x + p] * b[y + p];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Lᵀ of a factored matrix, row-major, so that back substitution reads rows instead of striding down columns. */
    public static double[] transposeFactor(double[] l, int k) {
        double[] t = new double[l.length];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) {
                t[j * k + i] = l[i * k + j];
            }
        }
        return t;
    }

    /**
     * {@link #solveFactored} for a factor solved many times: {@code lt} from {@link #transposeFactor}, so both substitutions
     * read contiguous rows with independent running sums.
     */
    public static void solveFactored(double[] l, double[] lt, double[] b, int k) {
        for (int i = 0; i < k; i++) {
            int rowI = i * k;
            b[i] = (b[i] - dot(l, rowI, b, 0, i)) / l[rowI + i];
        }
        for (int i = k - 1; i >= 0; i--) {
            int rowI = i * k;
            b[i] = (b[i] - dot(lt, rowI + i + 1, b, i + 1, k - i - 1)) / lt[rowI + i];
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
