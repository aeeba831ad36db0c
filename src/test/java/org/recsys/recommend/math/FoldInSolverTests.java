package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;
import org.recsys.recommend.testing.GaussianElimination;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fold-in against the paper's formula computed independently: the full confidence matrix Cᵘ over all items, the
 * products YᵀCᵘY and YᵀCᵘp(u) formed naively, and the system solved by Gaussian elimination with partial pivoting.
 */
class FoldInSolverTests {

    private static final int ITEMS = 300;
    private static final int K = 16;
    private static final double LAMBDA = 0.1;
    private static final double ALPHA = 10;

    private final Random random = new Random(42);
    private final float[][] y = randomFactors();

    @Test
    void matchesTheClosedFormForShortAndLongHistories() {
        FoldInSolver solver = new FoldInSolver(gramianOf(y), K, LAMBDA, ALPHA);
        // below k / 2 items the solver updates the shared factorization (Woodbury), from k / 2 on it factors anew
        for (int historyLength : new int[] { 1, 5, K / 2 - 1, K / 2, 50, ITEMS }) {
            int[] items = random.ints(0, ITEMS).distinct().limit(historyLength).toArray();
            float[] r = new float[items.length];
            for (int n = 0; n < r.length; n++) {
                r[n] = 0.5f + random.nextInt(4);
            }
            if (historyLength == 5) {
                r[2] = 0; // a zero strength: confidence 1, in b only
            }
            List<float[]> factors = new ArrayList<>();
            for (int item : items) {
                factors.add(y[item]);
            }
            float[] actual = solver.solve(factors, r);
            double[] expected = closedForm(items, r);
            for (int d = 0; d < K; d++) {
                double scale = Math.max(1e-3, Math.abs(expected[d]));
                assertEquals(expected[d], actual[d], 1e-5 * scale, "history " + historyLength + ", dim " + d);
            }
        }
    }

    /** Projections remembered across solves (as the ingest path does) give the closed form, and are really what is used. */
    @Test
    void rememberedProjectionsGiveTheClosedForm() {
        FoldInSolver solver = new FoldInSolver(gramianOf(y), K, LAMBDA, ALPHA);
        Map<float[], double[]> remembered = new IdentityHashMap<>();
        int[] asked = new int[1];
        Function<float[], double[]> memo = factors -> {
            asked[0]++;
            return remembered.computeIfAbsent(factors, solver::project);
        };
        for (int round = 0; round < 3; round++) { // later rounds find most items remembered
            int[] items = random.ints(0, 40).distinct().limit(1 + random.nextInt(K / 2 - 1)).toArray();
            float[] r = new float[items.length];
            List<float[]> factors = new ArrayList<>();
            for (int n = 0; n < items.length; n++) {
                r[n] = 0.5f + random.nextInt(4);
                factors.add(y[items[n]]);
            }
            asked[0] = 0;
            float[] actual = solver.solve(factors, r, memo);
            assertEquals(items.length, asked[0], "one projection per history item");
            double[] expected = closedForm(items, r);
            for (int d = 0; d < K; d++) {
                assertEquals(expected[d], actual[d], 1e-5 * Math.max(1e-3, Math.abs(expected[d])), "round " + round + ", dim " + d);
            }
            float[] ignoringThem = solver.solve(factors, r, f -> new double[K]);
            assertFalse(Arrays.equals(actual, ignoringThem), "the projections given are the ones the solve uses");
        }
    }

    /**
     * Strengths that accumulate over repeated events (α·r in the thousands) with a small λ: the short-history update and
     * the fresh factorization must both stay at the closed form.
     */
    @Test
    void largeStrengthsAndASmallLambdaStayAtTheClosedForm() {
        double lambda = 1e-3;
        FoldInSolver solver = new FoldInSolver(gramianOf(y), K, lambda, ALPHA);
        for (int historyLength : new int[] { 3, K / 2 - 1, K / 2 + 3 }) {
            int[] items = random.ints(0, ITEMS).distinct().limit(historyLength).toArray();
            float[] r = new float[items.length];
            for (int n = 0; n < r.length; n++) {
                r[n] = n % 2 == 0 ? 500f + random.nextInt(1000) : 1f;
            }
            List<float[]> factors = new ArrayList<>();
            for (int item : items) {
                factors.add(y[item]);
            }
            float[] actual = solver.solve(factors, r);
            double[] expected = closedForm(items, r, lambda);
            double norm = 0;
            double error = 0;
            for (int d = 0; d < K; d++) {
                norm += expected[d] * expected[d];
                error += (expected[d] - actual[d]) * (expected[d] - actual[d]);
            }
            assertTrue(Math.sqrt(error) <= 1e-4 * Math.sqrt(norm), "history " + historyLength + ": relative error "
                + Math.sqrt(error / norm));
        }
    }

    @Test
    void weightedRegularizationMatchesTheClosedFormWithLambdaTimesTheUsersItems() {
        double lambda = 0.05;
        FoldInSolver solver = new FoldInSolver(gramianOf(y), K, lambda, ALPHA, true);
        for (int historyLength : new int[] { 1, 4, K / 2 - 1, K / 2, 60 }) {
            int[] items = random.ints(0, ITEMS).distinct().limit(historyLength).toArray();
            float[] r = new float[items.length];
            List<float[]> factors = new ArrayList<>();
            int positive = 0;
            for (int n = 0; n < r.length; n++) {
                r[n] = n == 1 ? 0f : 1 + random.nextInt(4); // one item with r = 0: confidence 1, not counted in n_u
                positive += r[n] > 0 ? 1 : 0;
                factors.add(y[items[n]]);
            }
            float[] actual = solver.solve(factors, r);
            double[] expected = closedForm(items, r, lambda * positive);
            double[] constant = closedForm(items, r, lambda);
            double error = 0;
            double norm = 0;
            double fromConstant = 0;
            for (int d = 0; d < K; d++) {
                error += (expected[d] - actual[d]) * (expected[d] - actual[d]);
                norm += expected[d] * expected[d];
                fromConstant += (expected[d] - constant[d]) * (expected[d] - constant[d]);
            }
            assertTrue(Math.sqrt(error) <= 1e-5 * Math.sqrt(norm), "history " + historyLength + ": relative error "
                + Math.sqrt(error / norm));
            if (positive > 1) {
                assertTrue(Math.sqrt(fromConstant) > 1e-3 * Math.sqrt(norm), "λ·n differs from λ: the test tells them apart");
            }
        }
    }

    @Test
    void theEigenbasisRebuildsTheGramian() {
        double[] g = gramianOf(y);
        SymmetricEigen eigen = SymmetricEigen.of(g, K);
        double[] values = eigen.values();
        for (int d = 0; d < K; d++) {
            assertTrue(values[d] > -1e-9, "a Gramian is positive semi-definite: " + values[d]);
        }
        // G y = Q Λ Qᵀ y for a random y
        float[] v = y[7];
        double[] inBasis = eigen.toBasis(v);
        for (int d = 0; d < K; d++) {
            inBasis[d] *= values[d];
        }
        double[] rebuilt = eigen.fromBasis(inBasis);
        for (int i = 0; i < K; i++) {
            double direct = 0;
            for (int j = 0; j < K; j++) {
                direct += g[i * K + j] * v[j];
            }
            assertEquals(direct, rebuilt[i], 1e-9 * Math.max(1, Math.abs(direct)));
        }
    }

    @Test
    void emptyHistoryGivesTheZeroVector() {
        FoldInSolver solver = new FoldInSolver(gramianOf(y), K, LAMBDA, ALPHA);
        assertArrayEquals(new float[K], solver.solve(List.of(), new float[0]));
    }

    @Test
    void badParametersAreRejected() {
        double[] g = gramianOf(y);
        assertThrows(IllegalArgumentException.class, () -> new FoldInSolver(g, K, 0, ALPHA));
        assertThrows(IllegalArgumentException.class, () -> new FoldInSolver(g, K, Double.NaN, ALPHA));
        assertThrows(IllegalArgumentException.class, () -> new FoldInSolver(g, K, LAMBDA, -1));
        assertThrows(IllegalArgumentException.class, () -> new FoldInSolver(new double[3], K, LAMBDA, ALPHA));
        FoldInSolver solver = new FoldInSolver(g, K, LAMBDA, ALPHA);
        assertThrows(IllegalArgumentException.class, () -> solver.solve(List.<float[]>of(new float[K]), new float[] { Float.NaN }));
        assertThrows(IllegalArgumentException.class, () -> solver.solve(List.<float[]>of(new float[K - 1]), new float[] { 1 }));
    }

    @Test
    void gramianIsSymmetricAndMatchesTheNaiveProduct() {
        double[] g = gramianOf(y);
        for (int i = 0; i < K; i++) {
            for (int j = 0; j < K; j++) {
                double naive = 0;
                for (float[] row : y) {
                    naive += (double) row[i] * row[j];
                }
                assertEquals(naive, g[i * K + j], 1e-9 * Math.max(1, Math.abs(naive)));
            }
        }
        assertTrue(g[0] > 0);
    }

    /** (Yᵀ Cᵘ Y + λI)⁻¹ Yᵀ Cᵘ p(u), with Cᵘ and p(u) over all items: c = 1 + α r for the history, 1 elsewhere. */
    private double[] closedForm(int[] items, float[] r) {
        return closedForm(items, r, LAMBDA);
    }

    private double[] closedForm(int[] items, float[] r, double lambda) {
        double[] c = new double[ITEMS];
        double[] p = new double[ITEMS];
        java.util.Arrays.fill(c, 1);
        for (int n = 0; n < items.length; n++) {
            c[items[n]] = 1 + ALPHA * r[n];
            p[items[n]] = 1;
        }
        double[][] a = new double[K][K + 1];
        for (int i = 0; i < K; i++) {
            for (int j = 0; j < K; j++) {
                double sum = 0;
                for (int u = 0; u < ITEMS; u++) {
                    sum += y[u][i] * c[u] * y[u][j];
                }
                a[i][j] = sum + (i == j ? lambda : 0);
            }
            double rhs = 0;
            for (int u = 0; u < ITEMS; u++) {
                rhs += y[u][i] * c[u] * p[u];
            }
            a[i][K] = rhs;
        }
        return GaussianElimination.solve(a);
    }


    private double[] gramianOf(float[][] vectors) {
        Gramian gramian = new Gramian(K);
        for (float[] v : vectors) {
            gramian.add(v);
        }
        return gramian.matrix();
    }

    private float[][] randomFactors() {
        float[][] f = new float[ITEMS][K];
        for (float[] row : f) {
            for (int d = 0; d < K; d++) {
                row[d] = (float) (random.nextGaussian() * 0.3);
            }
        }
        return f;
    }
}
