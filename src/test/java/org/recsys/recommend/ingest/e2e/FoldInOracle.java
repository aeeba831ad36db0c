package org.recsys.recommend.ingest.e2e;

import org.recsys.recommend.testing.GaussianElimination;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The implicit-ALS fold-in computed independently of the plugin, straight from the paper:
 * x = (YᵀY + Yᵀ(Cᵘ − I)Y + λI)⁻¹ YᵀCᵘp(u), with the Gramian summed over {@code gramianItems}, the history's items from
 * {@code current}, and the system solved by Gaussian elimination with partial pivoting, all in double precision.
 */
final class FoldInOracle {

    private FoldInOracle() {}

    static double[] solve(List<float[]> gramianItems, Map<String, float[]> current, Map<String, Double> history, double lambda,
        double alpha) {
        int k = gramianItems.get(0).length;
        double[][] a = new double[k][k + 1];
        for (float[] y : gramianItems) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    a[i][j] += (double) y[i] * y[j];
                }
            }
        }
        for (int i = 0; i < k; i++) {
            a[i][i] += lambda;
        }
        for (Map.Entry<String, Double> h : history.entrySet()) {
            float[] y = current.get(h.getKey());
            if (y == null) {
                continue;
            }
            double c = 1 + alpha * h.getValue();
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    a[i][j] += (c - 1) * y[i] * y[j];
                }
                a[i][k] += c * y[i];
            }
        }
        return GaussianElimination.solve(a);
    }

    /** The history after events, as the contract defines it: repeats add up and move last; the oldest drop past max. */
    static Map<String, Double> history(List<String> events, int maxHistory) {
        LinkedHashMap<String, Double> h = new LinkedHashMap<>();
        for (String item : events) {
            Double previous = h.remove(item);
            h.put(item, (previous == null ? 0 : previous) + 1.0);
            while (h.size() > maxHistory) {
                h.remove(h.keySet().iterator().next());
            }
        }
        return h;
    }
}
