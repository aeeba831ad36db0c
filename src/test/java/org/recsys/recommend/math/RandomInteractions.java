package org.recsys.recommend.math;

import java.util.Random;

/** User × item interactions for the neighbor tests: random ones, two planted groups, and the binary Gram matrix. */
final class RandomInteractions {

    private RandomInteractions() {}

    static Interactions draw(Random random, int users, int items, int n, int maxStrength) {
        int[] rows = new int[n];
        int[] cols = new int[n];
        float[] values = new float[n];
        for (int t = 0; t < n; t++) {
            rows[t] = random.nextInt(users);
            cols[t] = random.nextInt(items);
            values[t] = 1 + random.nextInt(maxStrength);
        }
        return Interactions.fromTriples(users, items, rows, cols, values);
    }

    /**
     * Two groups of 5 items that never share a user: even users hold 3 of items 0..4, odd users 3 of items 5..9. Any
     * neighbor model worth the name links items inside their own group only.
     */
    static Interactions plantedGroups(int users) {
        int[] rows = new int[users * 3];
        int[] cols = new int[users * 3];
        float[] values = new float[users * 3];
        for (int u = 0; u < users; u++) {
            int base = u % 2 == 0 ? 0 : 5;
            for (int t = 0; t < 3; t++) {
                rows[u * 3 + t] = u;
                cols[u * 3 + t] = base + (u / 2 + t) % 5;
                values[u * 3 + t] = 1;
            }
        }
        return Interactions.fromTriples(users, 10, rows, cols, values);
    }

    /** XᵀX of the binary matrix X (an entry counts the users that hold both items), plus {@code ridge} on the diagonal. */
    static double[][] binaryGram(Interactions data, double ridge) {
        int items = data.cols();
        double[][] g = new double[items][items];
        for (int u = 0; u < data.rows(); u++) {
            for (int p = data.indptr()[u]; p < data.indptr()[u + 1]; p++) {
                for (int q = data.indptr()[u]; q < data.indptr()[u + 1]; q++) {
                    g[data.indices()[p]][data.indices()[q]] += 1;
                }
            }
        }
        for (int i = 0; i < items; i++) {
            g[i][i] += ridge;
        }
        return g;
    }
}
