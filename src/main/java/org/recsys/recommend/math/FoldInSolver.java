package org.recsys.recommend.math;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

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
 * enter the per-user work: a solve costs O((|history| + 1) k²) for histories shorter than k/2 (an update of the shared
 * factorization of G + λI), O(|history|² k) when the items' projections onto it are remembered (see
 * {@link #solve(List, float[], Function)}), and O(|history| k² + k³) otherwise, whatever the catalogue size.
 *
 * <p>With weighted regularization (ALS-WR, what Spark MLlib's ALS does) λ becomes λ·n_u for the user's n_u items with
 * r_ui &gt; 0, so G + λ_u I differs per user and no factorization is shared. A short history is then solved in G's
 * eigenbasis, where G + λ_u I is diagonal for every λ_u (the projections are the items' coordinates in that basis,
 * O(|history|² k + k²) per solve). The eigendecomposition is computed once per solver, that is once per model state and
 * node: about 2 ms at 64 dims, 50 ms at 256, 0.4 s at 512, 4 s at 1,024 here.
 */
public final class FoldInSolver {

    private static final AtomicLong SOLVERS = new AtomicLong();

    private final double[] gramian; // row-major k × k, shared and never written
    private final int k;
    private final double lambda;
    private final double alpha;
    private final boolean weighted; // λ_u = λ · n_u (ALS-WR) instead of λ
    private final double[] base; // L with L Lᵀ = YᵀY + λI: the part of every user's system that is the same for all
    private final double[] baseTransposed; // Lᵀ, for back substitution by rows
    private final SymmetricEigen eigen; // weighted: G = Q Λ Qᵀ, so G + μI = Q (Λ + μ) Qᵀ for any μ
    private final long id = SOLVERS.incrementAndGet(); // tells remembered projections of different solvers apart

    public FoldInSolver(double[] gramian, int k, double lambda, double alpha) {
        this(gramian, k, lambda, alpha, false);
    }

    /** {@code weighted}: λ_u = λ · n_u, the user's number of items with r_ui &gt; 0 (ALS-WR), instead of λ for everyone. */
    public FoldInSolver(double[] gramian, int k, double lambda, double alpha, boolean weighted) {
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
        this.weighted = weighted;
        if (weighted) {
            this.base = null;
            this.baseTransposed = null;
            this.eigen = SymmetricEigen.of(gramian, k);
        } else {
            this.base = gramian.clone();
            for (int d = 0; d < k; d++) {
                base[d * k + d] += lambda;
            }
            Cholesky.factorInPlace(base, k);
            this.baseTransposed = Cholesky.transposeFactor(base, k);
            this.eigen = null;
        }
    }

    public int dims() {
        return k;
    }

    /** Unique per solver in this JVM: projections remembered for one solver are not another's (see {@link #project}). */
    public long id() {
        return id;
    }

    /**
     * The user's vector for items {@code itemFactors} with interaction strengths {@code r} (r_ui ≥ 0). An empty history gives
     * the zero vector: no evidence, no preference.
     */
    public float[] solve(List<float[]> itemFactors, float[] r) {
        return solve(itemFactors, r, this::project);
    }

    /**
     * {@link #solve(List, float[])} with the projections (YᵀY + λI)⁻¹y of the items given by {@code projections}, which must
     * return {@link #project} of this solver for each item's factors. A caller that remembers them per item (they depend on
     * the item and the model only) saves the 2k² multiply-adds per history item that are most of a short history's solve.
     */
    public float[] solve(List<float[]> itemFactors, float[] r, Function<float[], double[]> projections) {
        if (itemFactors.size() != r.length) {
            throw new IllegalArgumentException("one strength per item: " + itemFactors.size() + " items, " + r.length + " strengths");
        }
        int positive = 0;
        for (int n = 0; n < r.length; n++) {
            if (itemFactors.get(n).length != k) {
                throw new IllegalArgumentException("item factors have " + itemFactors.get(n).length + " dims, the model has " + k);
            }
            if (Float.isFinite(r[n]) == false || r[n] < 0) {
                throw new IllegalArgumentException("interaction strength must be finite and >= 0, got [" + r[n] + "]");
            }
            positive += r[n] > 0 ? 1 : 0;
        }
        if (weighted == false) {
            // The user's system is the shared YᵀY + λI plus one rank-one term per history item. For a short history, updating
            // the shared factorization (Woodbury) costs (h + 1) k² instead of a new O(k³) factorization; same solution.
            return r.length < k / 2 ? solveByUpdate(itemFactors, r, projections) : solveDirectly(itemFactors, r, lambda);
        }
        double mu = lambda * positive;
        if (mu == 0) {
            return new float[k]; // no positive evidence: no preference (and G alone may be singular)
        }
        return r.length < k / 2 ? solveInEigenbasis(itemFactors, r, projections, mu) : solveDirectly(itemFactors, r, mu);
    }

    /**
     * What an item contributes to a short history's solve, the same for every user: (YᵀY + λI)⁻¹y, or with weighted
     * regularization Qᵀy, the item's coordinates in the Gramian's eigenbasis.
     */
    public double[] project(float[] y) {
        if (y.length != k) {
            throw new IllegalArgumentException("item factors have " + y.length + " dims, the model has " + k);
        }
        if (weighted) {
            return eigen.toBasis(y);
        }
        double[] w = new double[k];
        for (int i = 0; i < k; i++) {
            w[i] = y[i];
        }
        Cholesky.solveFactored(base, baseTransposed, w, k);
        return w;
    }

    /**
     * x = z − W (C⁻¹ + YᵀW)⁻¹ Yᵀz with z = A₀⁻¹b = Σ (1 + α r_i) w_i, W = A₀⁻¹Y (columns w_i, the projections),
     * C = diag(α r_i), A₀ = YᵀY + λI (Woodbury identity); items with α r_i = 0 add nothing to the matrix, only to b.
     */
    private float[] solveByUpdate(List<float[]> itemFactors, float[] r, Function<float[], double[]> projections) {
        double[] z = new double[k];
        List<double[]> left = new ArrayList<>();
        List<double[]> right = new ArrayList<>();
        List<Double> extra = new ArrayList<>();
        for (int n = 0; n < r.length; n++) {
            float[] y = itemFactors.get(n);
            double[] projection = projections.apply(y);
            if (projection.length != k) {
                throw new IllegalArgumentException("a projection has " + projection.length + " dims, the model has " + k);
            }
            double extraConfidence = alpha * r[n]; // c_ui − 1
            for (int i = 0; i < k; i++) {
                z[i] += (1 + extraConfidence) * projection[i];
            }
            if (extraConfidence > 0) {
                double[] widened = new double[k]; // so the dot products run on doubles with Cholesky's four sums
                for (int d = 0; d < k; d++) {
                    widened[d] = y[d];
                }
                left.add(widened);
                right.add(projection);
                extra.add(extraConfidence);
            }
        }
        subtractUpdate(left, right, extra, z);
        float[] x = new float[k];
        for (int i = 0; i < k; i++) {
            x[i] = (float) z[i];
        }
        return x;
    }

    /**
     * In the eigenbasis (ŷ = Qᵀy, D = (Λ + μI)⁻¹, C = diag(α r_i)), the Woodbury identity gives
     * Qᵀx = D (ẑ − Σ_j t_j ŷ_j) with ẑ = Σ (1 + α r_i) ŷ_i and (C⁻¹ + ŶᵀDŶ) t = ŶᵀD ẑ; items with α r_i = 0 add nothing
     * to the matrix, only to ẑ.
     */
    private float[] solveInEigenbasis(List<float[]> itemFactors, float[] r, Function<float[], double[]> projections, double mu) {
        double[] inverse = new double[k]; // D
        for (int d = 0; d < k; d++) {
            inverse[d] = 1 / Math.max(eigen.value(d) + mu, Double.MIN_NORMAL);
        }
        double[] zHat = new double[k];
        List<double[]> left = new ArrayList<>();
        List<double[]> right = new ArrayList<>();
        List<Double> extra = new ArrayList<>();
        for (int n = 0; n < r.length; n++) {
            double[] yHat = projections.apply(itemFactors.get(n));
            if (yHat.length != k) {
                throw new IllegalArgumentException("a projection has " + yHat.length + " dims, the model has " + k);
            }
            double extraConfidence = alpha * r[n]; // c_ui − 1
            for (int d = 0; d < k; d++) {
                zHat[d] += (1 + extraConfidence) * yHat[d];
            }
            if (extraConfidence > 0) {
                double[] scaled = new double[k]; // D ŷ
                for (int d = 0; d < k; d++) {
                    scaled[d] = inverse[d] * yHat[d];
                }
                left.add(scaled);
                right.add(yHat);
                extra.add(extraConfidence);
            }
        }
        subtractUpdate(left, right, extra, zHat);
        for (int d = 0; d < k; d++) {
            zHat[d] *= inverse[d];
        }
        double[] x = eigen.fromBasis(zHat);
        float[] out = new float[k];
        for (int i = 0; i < k; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    /**
     * The Woodbury step both short-history solves share: solves (C⁻¹ + [left_i · right_j]) t = [left_i · z] and takes
     * Σ_j t_j right_j off {@code z}. {@code left} holds each updated item as z's space sees it (y, or D ŷ), {@code right}
     * what the shared part's inverse makes of it (A₀⁻¹y, or ŷ), {@code extra} its α r (C's diagonal). The matrix is positive
     * definite and only its lower triangle is read.
     */
    private void subtractUpdate(List<double[]> left, List<double[]> right, List<Double> extra, double[] z) {
        int h = left.size();
        if (h == 0) {
            return;
        }
        double[] s = new double[h * h];
        double[] t = new double[h];
        for (int i = 0; i < h; i++) {
            double[] li = left.get(i);
            for (int j = 0; j <= i; j++) {
                s[i * h + j] = Cholesky.dot(li, 0, right.get(j), 0, k);
            }
            s[i * h + i] += 1 / extra.get(i);
            t[i] = Cholesky.dot(li, 0, z, 0, k);
        }
        Cholesky.solveInPlace(s, t, h);
        for (int j = 0; j < h; j++) {
            double[] rj = right.get(j);
            for (int d = 0; d < k; d++) {
                z[d] -= t[j] * rj[d];
            }
        }
    }

    /** Forms YᵀY + Yᵀ(Cᵘ − I)Y + λ_u I and factors it. */
    private float[] solveDirectly(List<float[]> itemFactors, float[] r, double mu) {
        double[] a = gramian.clone();
        double[] b = new double[k];
        for (int d = 0; d < k; d++) {
            a[d * k + d] += mu;
        }
        for (int n = 0; n < r.length; n++) {
            float[] y = itemFactors.get(n);
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
        Cholesky.solveInPlace(a, b, k); // reads the lower triangle only
        float[] x = new float[k];
        for (int i = 0; i < k; i++) {
            x[i] = (float) b[i];
        }
        return x;
    }
}
