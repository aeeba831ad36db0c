package org.recsys.recommend.testing;

/**
 * The tests' independent linear algebra: Gaussian elimination with partial pivoting in double precision, written from the
 * textbook and sharing nothing with the plugin's Cholesky code, so that an oracle built on it checks that code rather
 * than repeating it.
 */
public final class GaussianElimination {

    private GaussianElimination() {}

    /** x with A x = b, for the n × (n + 1) matrix [A | b] (overwritten). */
    public static double[] solve(double[][] augmented) {
        int n = augmented.length;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(augmented[row][col]) > Math.abs(augmented[pivot][col])) {
                    pivot = row;
                }
            }
            double[] swap = augmented[col];
            augmented[col] = augmented[pivot];
            augmented[pivot] = swap;
            for (int row = col + 1; row < n; row++) {
                double factor = augmented[row][col] / augmented[col][col];
                for (int c = col; c <= n; c++) {
                    augmented[row][c] -= factor * augmented[col][c];
                }
            }
        }
        double[] x = new double[n];
        for (int row = n - 1; row >= 0; row--) {
            double sum = augmented[row][n];
            for (int c = row + 1; c < n; c++) {
                sum -= augmented[row][c] * x[c];
            }
            x[row] = sum / augmented[row][row];
        }
        return x;
    }

    /** A⁻¹, column by column: column j solves A x = e_j. */
    public static double[][] invert(double[][] a) {
        int n = a.length;
        double[][] inverse = new double[n][n];
        for (int j = 0; j < n; j++) {
            double[][] augmented = new double[n][n + 1];
            for (int i = 0; i < n; i++) {
                System.arraycopy(a[i], 0, augmented[i], 0, n);
            }
            augmented[j][n] = 1;
            double[] column = solve(augmented);
            for (int i = 0; i < n; i++) {
                inverse[i][j] = column[i];
            }
        }
        return inverse;
    }
}
