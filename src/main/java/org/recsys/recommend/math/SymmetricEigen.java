package org.recsys.recommend.math;

/**
 * Eigendecomposition A = Q Λ Qᵀ of a symmetric matrix: Householder reduction to tridiagonal form, then the implicit QL
 * algorithm with shifts on the tridiagonal matrix, both accumulating the orthogonal transformations (the EISPACK
 * procedures tred2 and tql2). About 4k³ multiply-adds for Q, accurate to rounding relative to the largest eigenvalue.
 */
public final class SymmetricEigen {

    private static final double EPSILON = Math.ulp(1.0);

    private final int k;
    private final double[] values; // Λ
    private final double[] vectors; // Q, row-major k × k: column d is the eigenvector of values[d]

    private SymmetricEigen(int k, double[] values, double[] vectors) {
        this.k = k;
        this.values = values;
        this.vectors = vectors;
    }

    /** Decomposes the symmetric row-major k × k matrix {@code a} (left untouched). */
    public static SymmetricEigen of(double[] a, int k) {
        if (a.length != k * k) {
            throw new IllegalArgumentException("matrix has " + a.length + " entries, expected " + k + "×" + k);
        }
        double[][] v = new double[k][];
        for (int i = 0; i < k; i++) {
            v[i] = java.util.Arrays.copyOfRange(a, i * k, (i + 1) * k);
        }
        double[] d = new double[k];
        double[] e = new double[k];
        tridiagonalize(v, d, e);
        diagonalize(v, d, e);
        double[] q = new double[k * k];
        for (int i = 0; i < k; i++) {
            System.arraycopy(v[i], 0, q, i * k, k);
        }
        return new SymmetricEigen(k, d, q);
    }

    /**
     * Householder reduction: on return {@code d} holds the diagonal and {@code e} the subdiagonal (e[0] unused) of the
     * tridiagonal matrix, and {@code v} the orthogonal matrix that reduces to it.
     */
    private static void tridiagonalize(double[][] v, double[] d, double[] e) {
        int n = d.length;
        System.arraycopy(v[n - 1], 0, d, 0, n);
        for (int i = n - 1; i > 0; i--) {
            double scale = 0;
            double h = 0;
            for (int c = 0; c < i; c++) {
                scale += Math.abs(d[c]);
            }
            if (scale == 0) {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++) {
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                    v[j][i] = 0;
                }
            } else {
                for (int c = 0; c < i; c++) {
                    d[c] /= scale;
                    h += d[c] * d[c];
                }
                double f = d[i - 1];
                double g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                java.util.Arrays.fill(e, 0, i, 0);
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    v[j][i] = f;
                    g = e[j] + v[j][j] * f;
                    for (int c = j + 1; c < i; c++) {
                        g += v[c][j] * d[c];
                        e[c] += v[c][j] * f;
                    }
                    e[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++) {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) {
                    e[j] -= hh * d[j];
                }
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    g = e[j];
                    for (int c = j; c < i; c++) {
                        v[c][j] -= f * e[c] + g * d[c];
                    }
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                }
            }
            d[i] = h;
        }
        // accumulate the transformations
        for (int i = 0; i < n - 1; i++) {
            v[n - 1][i] = v[i][i];
            v[i][i] = 1;
            double h = d[i + 1];
            if (h != 0) {
                for (int c = 0; c <= i; c++) {
                    d[c] = v[c][i + 1] / h;
                }
                for (int j = 0; j <= i; j++) {
                    double g = 0;
                    for (int c = 0; c <= i; c++) {
                        g += v[c][i + 1] * v[c][j];
                    }
                    for (int c = 0; c <= i; c++) {
                        v[c][j] -= g * d[c];
                    }
                }
            }
            for (int c = 0; c <= i; c++) {
                v[c][i + 1] = 0;
            }
        }
        for (int j = 0; j < n; j++) {
            d[j] = v[n - 1][j];
            v[n - 1][j] = 0;
        }
        v[n - 1][n - 1] = 1;
        e[0] = 0;
    }

    /** Implicit QL with shifts on the tridiagonal (d, e), rotating the columns of {@code v} along: d ends as Λ. */
    private static void diagonalize(double[][] v, double[] d, double[] e) {
        int n = d.length;
        for (int i = 1; i < n; i++) {
            e[i - 1] = e[i];
        }
        e[n - 1] = 0;
        double shift = 0;
        double largest = 0;
        for (int l = 0; l < n; l++) {
            largest = Math.max(largest, Math.abs(d[l]) + Math.abs(e[l]));
            int m = l;
            while (m < n - 1 && Math.abs(e[m]) > EPSILON * largest) {
                m++;
            }
            if (m > l) {
                for (int iteration = 0; Math.abs(e[l]) > EPSILON * largest; iteration++) {
                    if (iteration > 100) {
                        throw new ArithmeticException("eigenvalues did not converge");
                    }
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = Math.hypot(p, 1);
                    if (p < 0) {
                        r = -r;
                    }
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double next = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) {
                        d[i] -= h;
                    }
                    shift += h;
                    p = d[m];
                    double c = 1;
                    double c2 = c;
                    double c3 = c;
                    double el1 = e[l + 1];
                    double s = 0;
                    double s2 = 0;
                    for (int i = m - 1; i >= l; i--) {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Math.hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        for (int row = 0; row < n; row++) {
                            double vi1 = v[row][i + 1];
                            v[row][i + 1] = s * v[row][i] + c * vi1;
                            v[row][i] = c * v[row][i] - s * vi1;
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / next;
                    e[l] = s * p;
                    d[l] = c * p;
                }
            }
            d[l] += shift;
            e[l] = 0;
        }
    }

    /** Λ (a copy). */
    public double[] values() {
        return values.clone();
    }

    /** The eigenvalue of column d of Q. */
    double value(int d) {
        return values[d];
    }

    /** Qᵀ y: y in the eigenbasis. */
    public double[] toBasis(float[] y) {
        double[] out = new double[k];
        for (int i = 0; i < k; i++) {
            double yi = y[i];
            int row = i * k;
            for (int d = 0; d < k; d++) {
                out[d] += vectors[row + d] * yi;
            }
        }
        return out;
    }

    /** Q v: v back from the eigenbasis. */
    public double[] fromBasis(double[] v) {
        double[] out = new double[k];
        for (int i = 0; i < k; i++) {
            int row = i * k;
            double sum = 0;
            for (int d = 0; d < k; d++) {
                sum += vectors[row + d] * v[d];
            }
            out[i] = sum;
        }
        return out;
    }
}
