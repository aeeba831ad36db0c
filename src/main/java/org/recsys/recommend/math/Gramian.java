package org.recsys.recommend.math;

/** Accumulates G = YᵀY = Σ_i y_i y_iᵀ over item vectors, in double precision, row-major k × k. */
public final class Gramian {

    private final int k;
    private final double[] sum;
    private long count;

    public Gramian(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("[dims] must be >= 1, got [" + k + "]");
        }
        this.k = k;
        this.sum = new double[k * k];
    }

    public void add(float[] y) {
        if (y.length != k) {
            throw new IllegalArgumentException("vector has " + y.length + " dims, expected " + k);
        }
        for (int i = 0; i < k; i++) {
            double yi = y[i];
            int row = i * k;
            for (int j = 0; j <= i; j++) {
                sum[row + j] += yi * y[j];
            }
        }
        count++;
    }

    public long count() {
        return count;
    }

    /** The full symmetric matrix. */
    public double[] matrix() {
        double[] g = sum.clone();
        for (int i = 0; i < k; i++) {
            for (int j = i + 1; j < k; j++) {
                g[i * k + j] = g[j * k + i];
            }
        }
        return g;
    }
}
