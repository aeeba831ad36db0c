package org.recsys.recommend.math;

/**
 * One stochastic-gradient step on an item's factors for one interaction, the optional real-time complement of fold-in:
 * <pre>
 *   y ← y + η · c · (1 − xᵀy) · x,     c = 1 + α r
 * </pre>
 * the descent direction of this interaction's term c (p − xᵀy)² of the implicit-ALS objective (p = 1), with the user's
 * freshly folded-in x held fixed. The L2 term is left out: it belongs to the item's whole history, which one event does
 * not see, and a full retraining restores it.
 */
public final class ItemNudge {

    private ItemNudge() {}

    public static float[] step(float[] y, float[] x, double c, double rate) {
        double dot = 0;
        for (int i = 0; i < y.length; i++) {
            dot += (double) x[i] * y[i];
        }
        double scale = rate * c * (1 - dot);
        float[] next = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            next[i] = (float) (y[i] + scale * x[i]);
        }
        return next;
    }
}
