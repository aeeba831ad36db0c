package org.recsys.recommend.math;

import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * Item-based collaborative filtering's neighbor lists: for every item j, its {@code k} most similar items by cosine over
 * binary co-occurrence, sim(i, j) = |U_i ∩ U_j| / √(|U_i| |U_j|). The recommend query's neighbor signal then scores j for
 * a user as Σ over the user's items i in j's list of sim(j, i): classic item-kNN. Ties are broken by the smaller item index.
 */
public final class ItemNeighbors {

    /**
     * Per item: neighbor indices and similarities, best first. Every similarity is a normal positive float: the lists are
     * written as {@code sparse_vector}s, which refuse anything else (cosine is at least 1 / users; weight columns go through
     * {@link #topWeights}).
     */
    public record Lists(int[][] neighbors, float[][] similarities) {}

    private ItemNeighbors() {}

    public static Lists compute(Interactions userItems, int k, Executor executor, int parallelism, BooleanSupplier cancelled)
        throws InterruptedException {
        Interactions itemUsers = userItems.transpose();
        int items = userItems.cols();
        int[] counts = new int[items];
        for (int i = 0; i < items; i++) {
            counts[i] = itemUsers.indptr()[i + 1] - itemUsers.indptr()[i];
        }
        int[][] neighbors = new int[items][];
        float[][] similarities = new float[items][];
        ParallelChunks.run(items, parallelism * 4, executor, cancelled, (from, to) -> {
            int[] co = new int[items];
            int[] touched = new int[items];
            for (int j = from; j < to && cancelled.getAsBoolean() == false; j++) {
                topK(j, userItems, itemUsers, counts, k, co, touched, neighbors, similarities);
            }
        });
        return new Lists(neighbors, similarities);
    }

    private static void topK(int j, Interactions userItems, Interactions itemUsers, int[] counts, int k, int[] co, int[] touched,
        int[][] neighbors, float[][] similarities) {
        int nTouched = 0;
        for (int p = itemUsers.indptr()[j]; p < itemUsers.indptr()[j + 1]; p++) {
            int u = itemUsers.indices()[p];
            for (int q = userItems.indptr()[u]; q < userItems.indptr()[u + 1]; q++) {
                int i = userItems.indices()[q];
                if (i != j) {
                    if (co[i] == 0) {
                        touched[nTouched++] = i;
                    }
                    co[i]++;
                }
            }
        }
        // a bounded min-heap of the k best (similarity, then smaller index) candidates
        int size = Math.min(k, nTouched);
        int[] heapItem = new int[size];
        float[] heapSim = new float[size];
        int filled = 0;
        for (int t = 0; t < nTouched; t++) {
            int i = touched[t];
            float sim = (float) (co[i] / Math.sqrt((double) counts[i] * counts[j]));
            co[i] = 0;
            if (filled < size) {
                heapItem[filled] = i;
                heapSim[filled] = sim;
                siftUp(heapItem, heapSim, filled++);
            } else if (size > 0 && better(sim, i, heapSim[0], heapItem[0])) {
                heapItem[0] = i;
                heapSim[0] = sim;
                siftDown(heapItem, heapSim, size);
            }
        }
        // pop into best-first order
        int[] ids = new int[filled];
        float[] sims = new float[filled];
        for (int n = filled - 1; n >= 0; n--) {
            ids[n] = heapItem[0];
            sims[n] = heapSim[0];
            heapItem[0] = heapItem[n];
            heapSim[0] = heapSim[n];
            siftDown(heapItem, heapSim, n);
        }
        neighbors[j] = ids;
        similarities[j] = sims;
    }

    /**
     * Item j's list from a column of weights (EASE, SLIM): the k largest finite {@code b[i]}, i ≠ j, that a
     * {@code sparse_vector} can hold (at least {@link Float#MIN_NORMAL}: it rejects the whole document for a smaller positive
     * value, and such a weight adds nothing to a score), best first, ties to the smaller item index.
     */
    static void topWeights(double[] b, int j, int k, long[] keys, int[][] neighbors, float[][] weights) {
        int found = 0;
        for (int i = 0; i < b.length; i++) {
            float w = (float) b[i];
            if (i != j && w >= Float.MIN_NORMAL && Float.isFinite(w)) {
                keys[found++] = ((long) Float.floatToIntBits(w) << 32) | (Integer.MAX_VALUE - i);
            }
        }
        Arrays.sort(keys, 0, found);
        int size = Math.min(k, found);
        int[] ids = new int[size];
        float[] ws = new float[size];
        for (int r = 0; r < size; r++) {
            long key = keys[found - 1 - r];
            ids[r] = Integer.MAX_VALUE - (int) key;
            ws[r] = Float.intBitsToFloat((int) (key >>> 32));
        }
        neighbors[j] = ids;
        weights[j] = ws;
    }

    private static boolean better(float simA, int itemA, float simB, int itemB) {
        return simA > simB || (simA == simB && itemA < itemB);
    }

    private static void siftUp(int[] items, float[] sims, int at) {
        while (at > 0) {
            int parent = (at - 1) / 2;
            if (better(sims[parent], items[parent], sims[at], items[at]) == false) {
                break;
            }
            swap(items, sims, at, parent);
            at = parent;
        }
    }

    private static void siftDown(int[] items, float[] sims, int size) {
        int at = 0;
        while (true) {
            int left = 2 * at + 1;
            int right = left + 1;
            int worst = at;
            if (left < size && better(sims[worst], items[worst], sims[left], items[left])) {
                worst = left;
            }
            if (right < size && better(sims[worst], items[worst], sims[right], items[right])) {
                worst = right;
            }
            if (worst == at) {
                return;
            }
            swap(items, sims, at, worst);
            at = worst;
        }
    }

    private static void swap(int[] items, float[] sims, int a, int b) {
        int ti = items[a];
        items[a] = items[b];
        items[b] = ti;
        float ts = sims[a];
        sims[a] = sims[b];
        sims[b] = ts;
    }
}
