package org.recsys.recommend.math;

/**
 * Eigendecomposition A = Q Λ Qᵀ of a symmetric matrix by cyclic Jacobi rotations: slower than a tridiagonal QR for large
 * k, but short, and accurate to rounding in every eigenvalue, small ones included (what a regularized solve with a
 * varying λ reads through 1 / (Λ + λ)). Each sweep costs about 3k³ multiply-adds; a few sweeps converge.
 */
public final class SymmetricEigen {

    private static final int MAX_SWEEPS = 60;

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
        double[] m = a.clone();
        double[] q = new double[k * k];
        for (int d = 0; d < k; d++) {
            q[d * k + d] = 1;
        }
        double scale = 0;
        for (double v : m) {
            scale += v * v;
        }
        double tolerance = Math.max(scale, Double.MIN_NORMAL) * 1e-30;
        for (int sweep = 0; sweep < MAX_SWEEPS && offDiagonal(m, k) > tolerance; sweep++) {
            for (int p = 0; p < k - 1; p++) {
                for (int r = p + 1; r < k; r++) {
                    rotate(m, q, k, p, r);
                }
            }
        }
        double[] values = new double[k];
        for (int d = 0; d < k; d++) {
            values[d] = m[d * k + d];
        }
        return new SymmetricEigen(k, values, q);
    }

    private static double offDiagonal(double[] m, int k) {
        double sum = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                if (i != j) {
                    sum += m[i * k + j] * m[i * k + j];
                }
            }
        }
        return sum;
    }

    /** M ← Pᵀ M P and Q ← Q P for the rotation P in the (p, r) plane that zeroes m[p][r]. */
    private static void rotate(double[] m, double[] q, int k, int p, int r) {
        double apr = m[p * k + r];
        if (apr == 0) {
            return;
        }
        double theta = (m[r * k + r] - m[p * k + p]) / (2 * apr);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (int i = 0; i < k; i++) { // columns p and r: M P
            double mip = m[i * k + p];
            double mir = m[i * k + r];
            m[i * k + p] = c * mip - s * mir;
            m[i * k + r] = s * mip + c * mir;
        }
        for (int j = 0; j < k; j++) { // rows p and r: Pᵀ (M P)
            double mpj = m[p * k + j];
            double mrj = m[r * k + j];
            m[p * k + j] = c * mpj - s * mrj;
            m[r * k + j] = s * mpj + c * mrj;
        }
        m[p * k + r] = 0;
        m[r * k + p] = 0;
        for (int i = 0; i < k; i++) {
            double qip = q[i * k + p];
            double qir = q[i * k + r];
            q[i * k + p] = c * qip - s * qir;
            q[i * k + r] = s * qip + c * qir;
        }
    }

    public int dims() {
        return k;
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
