package org.recsys.recommend.bench.heldback;

import java.util.Arrays;
import java.util.stream.IntStream;

/** Dense inverse of a symmetric positive definite matrix (EASE's P = (XᵀX + λI)⁻¹), in place, on double arrays. */
final class SpdInverse {

    private static final int BLOCK = 64;
    private static final int TILE = 256;

    private SpdInverse() {}

    /**
     * In-place inverse of a symmetric positive definite matrix by blocked Gauss-Jordan without pivoting: for each block K of
     * pivots, A_KK ← A_KK⁻¹, A_Kj ← A_KK⁻¹ A_Kj, A_ij ← A_ij - A_iK A_KK⁻¹ A_Kj and A_iK ← -A_iK A_KK⁻¹ (i, j outside K). The rank
     * update runs over column tiles in parallel so that a tile of the pivot rows stays in cache.
     */
    static void invert(double[][] a) {
        int n = a.length;
        for (int k0 = 0; k0 < n; k0 += BLOCK) {
            int from = k0;
            int w = Math.min(n, k0 + BLOCK) - k0;
            double[][] inverse = new double[w][w];
            for (int s = 0; s < w; s++) {
                System.arraycopy(a[k0 + s], k0, inverse[s], 0, w);
            }
            gaussJordan(inverse);
            double[][] d = new double[w][];
            for (int s = 0; s < w; s++) {
                d[s] = a[k0 + s].clone();
                Arrays.fill(d[s], k0, k0 + w, 0);
            }
            for (int s = 0; s < w; s++) {
                double[] row = a[k0 + s];
                Arrays.fill(row, 0);
                for (int t = 0; t < w; t++) {
                    double f = inverse[s][t];
                    double[] dt = d[t];
                    for (int j = 0; j < n; j++) {
                        row[j] += f * dt[j];
                    }
                }
                System.arraycopy(inverse[s], 0, row, k0, w);
            }
            double[][] c = new double[n][w];
            IntStream.range(0, n).parallel().filter(i -> i < from || i >= from + w).forEach(i -> {
                for (int t = 0; t < w; t++) {
                    double sum = 0;
                    for (int s = 0; s < w; s++) {
                        sum -= a[i][from + s] * inverse[s][t];
                    }
                    c[i][t] = sum;
                }
            });
            IntStream.range(0, (n + TILE - 1) / TILE).parallel().forEach(tile -> {
                int j0 = tile * TILE;
                int j1 = Math.min(n, j0 + TILE);
                for (int i = 0; i < n; i++) {
                    if (i >= from && i < from + w) {
                        continue;
                    }
                    double[] ai = a[i];
                    double[] ci = c[i];
                    int t = 0;
                    for (; t + 3 < w; t += 4) {
                        double c0 = ci[t];
                        double c1 = ci[t + 1];
                        double c2 = ci[t + 2];
                        double c3 = ci[t + 3];
                        double[] d0 = d[t];
                        double[] d1 = d[t + 1];
                        double[] d2 = d[t + 2];
                        double[] d3 = d[t + 3];
                        for (int j = j0; j < j1; j++) {
                            ai[j] += c0 * d0[j] + c1 * d1[j] + c2 * d2[j] + c3 * d3[j];
                        }
                    }
                    for (; t < w; t++) {
                        double ct = ci[t];
                        double[] dt = d[t];
                        for (int j = j0; j < j1; j++) {
                            ai[j] += ct * dt[j];
                        }
                    }
                }
            });
            IntStream.range(0, n).filter(i -> i < from || i >= from + w).forEach(i -> System.arraycopy(c[i], 0, a[i], from, w));
        }
    }

    /** Plain in-place Gauss-Jordan inverse (no pivoting: the blocks of an SPD matrix are SPD). */
    static void gaussJordan(double[][] m) {
        int n = m.length;
        for (int k = 0; k < n; k++) {
            double p = 1 / m[k][k];
            m[k][k] = 1;
            for (int j = 0; j < n; j++) {
                m[k][j] *= p;
            }
            for (int i = 0; i < n; i++) {
                double f = m[i][k];
                if (i != k && f != 0) {
                    m[i][k] = 0;
                    for (int j = 0; j < n; j++) {
                        m[i][j] -= f * m[k][j];
                    }
                }
            }
        }
    }
}
