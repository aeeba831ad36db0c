package org.recsys.recommend.math;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Implicit-feedback ALS (Hu, Koren &amp; Volinsky 2008) minimizing
 *
 * <pre>
 *   Σ_u,i c_ui (p_ui − x_uᵀ y_i)² + λ (Σ_u ‖x_u‖² + Σ_i ‖y_i‖²),   c_ui = 1 + α r_ui,  p_ui = [r_ui &gt; 0]
 * </pre>
 *
 * alternating exact-in-expectation half steps solved by a few conjugate-gradient iterations per row, warm-started from
 * the previous factors (Takács, Pilászy &amp; Tikk 2011). Each half step reads only the other side's factors, so rows are
 * solved independently in parallel and the result does not depend on scheduling: a seed fixes the outcome. Dot products
 * go through {@link DotProducts}, whose SIMD lane sums give the same bits in any JIT tier (Lucene's VectorUtil does not,
 * and a fresh node's first training then differed from a later one with the same seed).
 */
public final class ImplicitAls {

    /** Called after each iteration with its number (1-based) and the wall time it took. */
    public interface Progress {
        void iteration(int iteration, long nanos);
    }

    /** Fitted factors: one row per user and per item. */
    public record Factors(float[][] users, float[][] items) {}

    private final int k;
    private final double lambda;
    private final double alpha;
    private final int cgSteps;
    private final long seed;
    private final boolean weighted; // λ · n per row (its number of positive entries: ALS-WR, as Spark MLlib) instead of λ

    public ImplicitAls(int k, double lambda, double alpha, int cgSteps, long seed) {
        this(k, lambda, alpha, cgSteps, seed, false);
    }

    /** {@code weighted}: each user and item regularized by λ times its number of positive entries (ALS-WR). */
    public ImplicitAls(int k, double lambda, double alpha, int cgSteps, long seed, boolean weighted) {
        if (k < 1) {
            throw new IllegalArgumentException("[factors] must be >= 1, got [" + k + "]");
        }
        if (Double.isFinite(lambda) == false || lambda <= 0) {
            throw new IllegalArgumentException("[lambda] must be a finite number > 0, got [" + lambda + "]");
        }
        if (Double.isFinite(alpha) == false || alpha < 0) {
            throw new IllegalArgumentException("[alpha] must be a finite number >= 0, got [" + alpha + "]");
        }
        if (cgSteps < 1) {
            throw new IllegalArgumentException("[cg_steps] must be >= 1, got [" + cgSteps + "]");
        }
        this.k = k;
        this.lambda = lambda;
        this.alpha = alpha;
        this.cgSteps = cgSteps;
        this.seed = seed;
        this.weighted = weighted;
    }

    /**
     * Fits factors on {@code userItems} in {@code iterations} alternations, spreading rows over {@code parallelism} tasks on
     * {@code executor}; stops early (throwing) when {@code cancelled} turns true.
     */
    public Factors fit(Interactions userItems, int iterations, Executor executor, int parallelism, BooleanSupplier cancelled,
        Progress progress) throws InterruptedException {
        Interactions itemUsers = userItems.transpose();
        Random random = new Random(seed);
        float[][] x = randomRows(userItems.rows(), random);
        float[][] y = randomRows(userItems.cols(), random);
        for (int it = 1; it <= iterations; it++) {
            long start = System.nanoTime();
            halfStep(userItems, y, x, executor, parallelism, cancelled);
            halfStep(itemUsers, x, y, executor, parallelism, cancelled);
            progress.iteration(it, System.nanoTime() - start);
        }
        return new Factors(x, y);
    }

    private float[][] randomRows(int n, Random random) {
        float[][] rows = new float[n][k];
        for (float[] row : rows) {
            for (int d = 0; d < k; d++) {
                row[d] = (float) (random.nextGaussian() * 0.01);
            }
        }
        return rows;
    }

    /** Solves every row of {@code solved} against the fixed {@code fixed} side. */
    private void halfStep(Interactions rows, float[][] fixed, float[][] solved, Executor executor, int parallelism,
        BooleanSupplier cancelled) throws InterruptedException {
        float[][] gramian = gramianPlusLambda(fixed);
        int chunks = Math.max(1, parallelism * 4);
        int per = (rows.rows() + chunks - 1) / chunks;
        CountDownLatch done = new CountDownLatch(chunks);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        for (int c = 0; c < chunks; c++) {
            int from = c * per;
            int to = Math.min(rows.rows(), from + per);
            executor.execute(() -> {
                try {
                    float[][] scratch = new float[4][k];
                    for (int r = from; r < to && cancelled.getAsBoolean() == false; r++) {
                        solveRow(rows, r, fixed, gramian, solved[r], scratch);
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        if (failure.get() != null) {
            throw failure.get();
        }
        ParallelChunks.throwIfCancelled(cancelled);
    }

    /** YᵀY + λI (YᵀY alone with weighted regularization, whose λ differs per row), as float rows (symmetric). */
    private float[][] gramianPlusLambda(float[][] fixed) {
        Gramian g = new Gramian(k);
        for (float[] row : fixed) {
            g.add(row);
        }
        double[] m = g.matrix();
        float[][] out = new float[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                out[i][j] = (float) (m[i * k + j] + (i == j && weighted == false ? lambda : 0));
            }
        }
        return out;
    }

    /**
     * CG on (YᵀY + λ_r I + Σ_i (c_ui − 1) y_i y_iᵀ) x = Σ_i c_ui y_i, from the current x. The residual starts as
     * b − A x computed term by term so only the row's own items are touched besides the shared Gramian. λ_r is in the
     * shared matrix for constant regularization, and added here (λ times the row's positive entries) for weighted.
     */
    private void solveRow(Interactions rows, int r, float[][] fixed, float[][] gramian, float[] x, float[][] scratch) {
        float[] residual = scratch[0];
        float[] direction = scratch[1];
        float[] ap = scratch[2];
        float rowLambda = weighted ? (float) (lambda * positiveEntries(rows, r)) : 0f;
        multiply(gramian, x, residual);
        axpy(rowLambda, x, residual);
        for (int d = 0; d < k; d++) {
            residual[d] = -residual[d];
        }
        for (int p = rows.indptr()[r]; p < rows.indptr()[r + 1]; p++) {
            float[] y = fixed[rows.indices()[p]];
            double confidence = 1 + alpha * rows.values()[p];
            float coefficient = (float) (confidence - (confidence - 1) * DotProducts.dot(y, x, 0));
            axpy(coefficient, y, residual);
        }
        System.arraycopy(residual, 0, direction, 0, k);
        double rsOld = DotProducts.dot(residual, residual, 0);
        for (int step = 0; step < cgSteps && rsOld > 1e-20; step++) {
            multiply(gramian, direction, ap);
            axpy(rowLambda, direction, ap);
            for (int p = rows.indptr()[r]; p < rows.indptr()[r + 1]; p++) {
                float[] y = fixed[rows.indices()[p]];
                float coefficient = (float) (alpha * rows.values()[p] * DotProducts.dot(y, direction, 0));
                axpy(coefficient, y, ap);
            }
            double pAp = DotProducts.dot(direction, ap, 0);
            if (pAp <= 0) {
                break;
            }
            float stepSize = (float) (rsOld / pAp);
            axpy(stepSize, direction, x);
            axpy(-stepSize, ap, residual);
            double rsNew = DotProducts.dot(residual, residual, 0);
            float beta = (float) (rsNew / rsOld);
            for (int d = 0; d < k; d++) {
                direction[d] = residual[d] + beta * direction[d];
            }
            rsOld = rsNew;
        }
    }

    private static int positiveEntries(Interactions rows, int r) {
        int n = 0;
        for (int p = rows.indptr()[r]; p < rows.indptr()[r + 1]; p++) {
            n += rows.values()[p] > 0 ? 1 : 0;
        }
        return n;
    }

    /**
     * out = M v for the symmetric M, as Σ_j v[j] · (row j): whole-row multiply-adds, with no sum across SIMD lanes (64 of
     * those per product cost more than the products themselves), and the same bits in any JIT tier.
     */
    private static void multiply(float[][] matrix, float[] v, float[] out) {
        Arrays.fill(out, 0f);
        for (int j = 0; j < out.length; j++) {
            axpy(v[j], matrix[j], out);
        }
    }

    private static void axpy(float a, float[] x, float[] y) {
        for (int d = 0; d < y.length; d++) {
            y[d] += a * x[d];
        }
    }
}
