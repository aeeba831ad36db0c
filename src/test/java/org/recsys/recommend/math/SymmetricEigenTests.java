package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Q Λ Qᵀ rebuilds the matrix and Q is orthogonal: for full-rank, rank-deficient, diagonal, zero and 1 × 1 matrices. */
class SymmetricEigenTests {

    private final Random random = new Random(3);

    @Test
    void rebuildsGramiansOfFullAndDeficientRank() {
        for (int[] shape : new int[][] { { 1, 5 }, { 2, 1 }, { 16, 300 }, { 64, 10 }, { 64, 500 }, { 200, 1000 } }) {
            int k = shape[0];
            Gramian gramian = new Gramian(k);
            for (int n = 0; n < shape[1]; n++) {
                float[] y = new float[k];
                for (int d = 0; d < k; d++) {
                    y[d] = (float) (random.nextGaussian() * 0.3);
                }
                gramian.add(y);
            }
            check(gramian.matrix(), k);
        }
    }

    @Test
    void handlesDiagonalZeroAndRepeatedEigenvalues() {
        check(new double[] { 2, 0, 0, 3 }, 2);
        check(new double[9], 3);
        check(new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, 3);
        check(new double[] { 2, 1, 1, 2 }, 2);
    }

    private static void check(double[] a, int k) {
        SymmetricEigen eigen = SymmetricEigen.of(a, k);
        double[] values = eigen.values();
        double norm = 0;
        for (double v : a) {
            norm = Math.max(norm, Math.abs(v));
        }
        double tolerance = 1e-10 * Math.max(1, norm);
        // Q's columns, read through fromBasis of the unit vectors
        double[][] q = new double[k][];
        for (int d = 0; d < k; d++) {
            double[] unit = new double[k];
            unit[d] = 1;
            q[d] = eigen.fromBasis(unit);
        }
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double rebuilt = 0;
                double dot = 0;
                for (int d = 0; d < k; d++) {
                    rebuilt += q[d][i] * values[d] * q[d][j];
                    dot += q[i][d] * q[j][d];
                }
                assertEquals(a[i * k + j], rebuilt, tolerance, "k " + k + ": (Q Λ Qᵀ)[" + i + "][" + j + "]");
                assertEquals(i == j ? 1 : 0, dot, 1e-10, "k " + k + ": columns " + i + " and " + j + " orthonormal");
            }
        }
        float[] y = new float[k];
        for (int d = 0; d < k; d++) {
            y[d] = d + 1;
        }
        double[] back = eigen.fromBasis(eigen.toBasis(y));
        for (int d = 0; d < k; d++) {
            assertEquals(y[d], back[d], 1e-9 * k, "Q Qᵀ y = y");
        }
    }
}
