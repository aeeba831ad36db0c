package org.recsys.recommend.math;

/**
 * A linear map from binary content features to latent factors, fitted by ridge regression on the trained items:
 * <pre>
 *   W = argmin Σ_i ‖x_iᵀ W − y_i‖² + λ ‖W‖²   ⇒   (XᵀX + λI) W = XᵀY
 * </pre>
 * where x_i is the item's feature vector (1/√n on each of its n known features, plus a constant 1 for the intercept, which
 * is left unpenalized) and y_i its trained factors. A new item without factors then gets x W: what the items sharing its
 * words and genres have in common. The d × d system is factored once (Cholesky) and solved for each of the k factor
 * columns.
 */
public final class ContentToFactors {

    private final float[][] weights; // (features + 1) × k; the last row is the intercept

    public ContentToFactors(float[][] weights) {
        this.weights = weights;
    }

    /**
     * Fits the map on {@code features[i]} (sorted vocabulary indices of item i, as {@link ContentFeatures#encode} gives)
     * and {@code factors[i]}.
     */
    public static ContentToFactors fit(int[][] features, float[][] factors, int vocabularySize, int k, double lambda) {
        if (Double.isFinite(lambda) == false || lambda <= 0) {
            throw new IllegalArgumentException("[content.lambda] must be a finite number > 0, got [" + lambda + "]");
        }
        int d = vocabularySize + 1;
        double[] gram = new double[d * d];
        double[][] rhs = new double[k][d];
        for (int i = 0; i < features.length; i++) {
            int[] f = features[i];
            double value = f.length == 0 ? 0 : 1 / Math.sqrt(f.length);
            // the row's non-zeros: its features at `value`, and the intercept at 1
            for (int a = 0; a <= f.length; a++) {
                int row = a < f.length ? f[a] : d - 1;
                double va = a < f.length ? value : 1;
                for (int b = 0; b <= f.length; b++) {
                    int col = b < f.length ? f[b] : d - 1;
                    double vb = b < f.length ? value : 1;
                    gram[row * d + col] += va * vb;
                }
                for (int c = 0; c < k; c++) {
                    rhs[c][row] += va * factors[i][c];
                }
            }
        }
        for (int j = 0; j < d - 1; j++) {
            gram[j * d + j] += lambda;
        }
        gram[(d - 1) * d + (d - 1)] += 1e-6; // keeps the system definite when no item was seen, without biasing the intercept
        Cholesky.factorInPlace(gram, d);
        float[][] weights = new float[d][k];
        for (int c = 0; c < k; c++) {
            Cholesky.solveFactored(gram, rhs[c], d);
            for (int j = 0; j < d; j++) {
                weights[j][c] = (float) rhs[c][j];
            }
        }
        return new ContentToFactors(weights);
    }

    /** The factors for an item with these (sorted, known) features; with none, the intercept: the mean trained item. */
    public float[] apply(int[] features) {
        int k = weights[0].length;
        float[] y = weights[weights.length - 1].clone();
        float value = features.length == 0 ? 0f : (float) (1 / Math.sqrt(features.length));
        for (int f : features) {
            for (int c = 0; c < k; c++) {
                y[c] += value * weights[f][c];
            }
        }
        return y;
    }

    public float[][] weights() {
        return weights;
    }
}
