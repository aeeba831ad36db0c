package org.recsys.recommend.math;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A per-user holdout carved from the training interactions, for choosing settings on data the fit never saw: each chosen
 * user with at least two items keeps most in {@code fit} and has {@code round(fraction × n)} of them (at least one, never
 * all) in {@code heldOut}. Seeded: the same interactions, fraction and seed give the same split.
 */
public record HoldoutSplit(Interactions fit, int[][] heldOut, int validationUsers) {

    /**
     * Splits {@code userItems}; at most {@code maxUsers} users (a seeded sample of those with two items or more) hold items
     * out, the others keep all of theirs in {@code fit}.
     */
    public static HoldoutSplit of(Interactions userItems, double fraction, long seed, int maxUsers) {
        if (Double.isFinite(fraction) == false || fraction <= 0 || fraction >= 1) {
            throw new IllegalArgumentException("[fraction] must be between 0 and 1 (exclusive), got [" + fraction + "]");
        }
        Random random = new Random(seed);
        List<Integer> eligible = new ArrayList<>();
        for (int u = 0; u < userItems.rows(); u++) {
            if (userItems.indptr()[u + 1] - userItems.indptr()[u] >= 2) {
                eligible.add(u);
            }
        }
        boolean[] chosen = new boolean[userItems.rows()];
        Collections.shuffle(eligible, random);
        for (int n = 0; n < Math.min(maxUsers, eligible.size()); n++) {
            chosen[eligible.get(n)] = true;
        }
        int[][] heldOut = new int[userItems.rows()][];
        // the fit keeps the rows' order and each row's sorted columns: it is built compressed directly
        int[] indptr = new int[userItems.rows() + 1];
        int[] indices = new int[userItems.nnz()];
        float[] values = new float[userItems.nnz()];
        int out = 0;
        int validation = 0;
        for (int u = 0; u < userItems.rows(); u++) {
            int from = userItems.indptr()[u];
            int n = userItems.indptr()[u + 1] - from;
            boolean[] held = new boolean[n];
            int holdCount = chosen[u] ? Math.min(n - 1, Math.max(1, (int) Math.round(fraction * n))) : 0;
            int[] order = shuffled(n, random);
            for (int h = 0; h < holdCount; h++) {
                held[order[h]] = true;
            }
            heldOut[u] = new int[holdCount];
            int h = 0;
            for (int p = 0; p < n; p++) {
                if (held[p]) {
                    heldOut[u][h++] = userItems.indices()[from + p];
                } else {
                    indices[out] = userItems.indices()[from + p];
                    values[out] = userItems.values()[from + p];
                    out++;
                }
            }
            indptr[u + 1] = out;
            Arrays.sort(heldOut[u]);
            validation += holdCount > 0 ? 1 : 0;
        }
        Interactions fit = new Interactions(userItems.rows(), userItems.cols(), indptr, Arrays.copyOf(indices, out),
            Arrays.copyOf(values, out));
        return new HoldoutSplit(fit, heldOut, validation);
    }

    private static int[] shuffled(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
