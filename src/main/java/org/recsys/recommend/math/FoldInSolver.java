package org.recsys.recommend.math;

import java.util.List;

/**
 * Exact implicit-ALS fold-in of one user (Hu, Koren &amp; Volinsky 2008, eq. 4): with confidence c_ui = 1 + α·r_ui and
 * preference p_ui = 1 for the user's items,
 *
 * <pre>
 *   x_u = (YᵀY + Yᵀ(Cᵘ − I)Y + λI)⁻¹ YᵀCᵘp(u)
 *       = (G + Σ_i α r_ui y_i y_iᵀ + λI)⁻¹ Σ_i (1 + α r_ui) y_i
 * </pre>
 *
 * where G = YᵀY is the item Gramian over all items, computed once per model ({@link Gramian}). Only the user's items
 * enter the per-user work, so a solve costs O(|history| k² + k³) whatever the catalogue size.
 */
public final class FoldInSolver {

    private final double[] gramian; // row-major k × k, shared and never written
    private final int k;
    private final double lambda;
    private final double alpha;

    public FoldInSolver(double[] gramian, int k, double lambda, double alpha) {
        if (gramian.length != k * k) {
            throw new IllegalArgumentException("gramian has " + gramian.length + " entries, expected " + k + "×" + k);
        }
        if (Double.isFinite(lambda) == false || lambda <= 0) {
            throw new IllegalArgumentException("[lambda] must be a finite number > 0, got [" + lambda + "]");
        }
        if (Double.isFinite(alpha) == false || alpha < 0) {
            throw new IllegalArgumentException("[alpha] must be a finite number >= 0, got [" + alpha + "]");
        }
        this.gramian = gramian.clone();
        this.k = k;
        this.lambda = lambda;
        this.alpha = alpha;
    }

    public int dims() {
        return k;
    }

    /**
     * The user's vector for items {@code itemFactors} with interaction strengths {@code r} (r_ui ≥ 0). An empty history gives
     * the zero vector: no evidence, no preference.
     */
    public float[] solve(List<float[]> itemFactors, float[] r) {
        if (itemFactors.size() != r.length) {
            throw new IllegalArgumentException("one strength per item: " + itemFactors.size() + " items, " + r.length + " strengths");
        }
        double[] a = gramian.clone();
        double[] b = new double[k];
        for (int d = 0; d < k; d++) {
            a[d * k + d] += lambda;
        }
        for (int n = 0; n < r.length; n++) {
            float[] y = itemFactors.get(n);
            if (y.length != k) {
                throw new IllegalArgumentException("item factors have " + y.length + " dims, the model has " + k);
            }
            if (Float.isFinite(r[n]) == false || r[n] < 0) {
                throw new IllegalArgumentException("interaction strength must be finite and >= 0, got [" + r[n] + "]");
            }
            double extraConfidence = alpha * r[n]; // c_ui − 1
            double confidence = 1 + extraConfidence;
            for (int i = 0; i < k; i++) {
                double scaled = extraConfidence * y[i];
                int row = i * k;
                // only the lower triangle is read by the factorization
                for (int j = 0; j <= i; j++) {
                    a[row + j] += scaled * y[j];
                }
                b[i] += confidence * y[i];
            }
        }
        for (int i = 0; i < k; i++) {
            for (int j = i + 1; j < k; j++) {
                a[i * k + j] = a[j * k + i];
            }
        }
        Cholesky.solveInPlace(a, b, k);
        float[] x = new float[k];
        for (int i = 0; i < k; i++) {
            x[i] = (float) b[i];
        }
        return x;
    }
}
