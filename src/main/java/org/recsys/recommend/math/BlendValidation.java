package org.recsys.recommend.math;

import org.apache.lucene.util.VectorUtil;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * Scores blends on a holdout the way the recommend query ranks with linear normalizations: for user u and item j,
 * {@code max(0, x_u · y_j) + neighbors × max(0, Σ_{i in u's fit items} w_ui · sim_j(i)) + popularity × pop_j}, where
 * {@code sim_j} is item j's neighbor list (the {@code sparse_vector} it is served from), items of u's fit excluded, ties by
 * item number; the metric is nDCG@k with binary gains (as {@link RankingMetrics}). Every item is a candidate: the ideal the
 * query's exact blend reaches when its candidates hold the top k.
 */
public final class BlendValidation {

    /** Weights of the neighbor and popularity signals next to the collaborative signal's weight 1. */
    public record Blend(double neighbors, double popularity) {
        public Blend {
            if (Double.isFinite(neighbors) == false || neighbors < 0 || Double.isFinite(popularity) == false || popularity < 0) {
                throw new IllegalArgumentException("blend weights must be finite and >= 0, got [" + neighbors + ", " + popularity + "]");
            }
        }
    }

    private BlendValidation() {}

    /**
     * Mean nDCG@k over the users of {@code split} that hold items out, one value per blend. {@code users}/{@code items}: the
     * factors fitted on {@code split.fit()}; {@code neighbors} (null: none) and {@code popularity} (one value per item) too.
     */
    public static double[] ndcg(HoldoutSplit split, float[][] users, float[][] items, ItemNeighbors.Lists neighbors,
        float[] popularity, List<Blend> blends, int k, Executor executor, int parallelism, BooleanSupplier cancelled)
        throws InterruptedException {
        Interactions fit = split.fit();
        int n = fit.cols();
        Inverted inverted = neighbors == null ? null : Inverted.of(neighbors, n);
        int chunks = Math.max(1, parallelism);
        double[][] sums = new double[chunks][blends.size()];
        int[] counted = new int[chunks];
        int per = (fit.rows() + chunks - 1) / chunks;
        ParallelChunks.run(chunks, chunks, executor, cancelled, (from, to) -> {
            for (int c = from; c < to; c++) {
                double[] collaborative = new double[n];
                double[] neighbor = new double[n];
                boolean[] excluded = new boolean[n];
                for (int u = c * per; u < Math.min(fit.rows(), (c + 1) * per); u++) {
                    if (split.heldOut()[u].length == 0) {
                        continue;
                    }
                    if ((u & 63) == 0) {
                        ParallelChunks.throwIfCancelled(cancelled);
                    }
                    scoreUser(fit, u, users[u], items, inverted, collaborative, neighbor, excluded);
                    for (int b = 0; b < blends.size(); b++) {
                        sums[c][b] += ndcgOf(topK(collaborative, neighbor, popularity, excluded, blends.get(b), k), split.heldOut()[u], k);
                    }
                    counted[c]++;
                }
            }
        });
        double[] mean = new double[blends.size()];
        int users0 = 0;
        for (int c = 0; c < chunks; c++) {
            users0 += counted[c];
            for (int b = 0; b < mean.length; b++) {
                mean[b] += sums[c][b];
            }
        }
        for (int b = 0; b < mean.length; b++) {
            mean[b] = users0 == 0 ? 0 : mean[b] / users0;
        }
        return mean;
    }

    private static void scoreUser(Interactions fit, int u, float[] x, float[][] items, Inverted inverted, double[] collaborative,
        double[] neighbor, boolean[] excluded) {
        Arrays.fill(excluded, false);
        Arrays.fill(neighbor, 0);
        for (int j = 0; j < items.length; j++) {
            collaborative[j] = Math.max(0, VectorUtil.dotProduct(x, items[j]));
        }
        for (int p = fit.indptr()[u]; p < fit.indptr()[u + 1]; p++) {
            int i = fit.indices()[p];
            excluded[i] = true;
            if (inverted != null) {
                float w = fit.values()[p];
                for (int q = inverted.indptr[i]; q < inverted.indptr[i + 1]; q++) {
                    neighbor[inverted.items[q]] += w * inverted.sims[q];
                }
            }
        }
    }

    /** The k best items, best first: higher score, then lower item number. */
    private static int[] topK(double[] collaborative, double[] neighbor, float[] popularity, boolean[] excluded, Blend blend, int k) {
        int[] best = new int[k];
        double[] bestScore = new double[k];
        int size = 0;
        for (int j = 0; j < collaborative.length; j++) {
            if (excluded[j]) {
                continue;
            }
            double score = collaborative[j] + blend.neighbors() * Math.max(0, neighbor[j]) + blend.popularity() * popularity[j];
            if (size == k && score <= bestScore[k - 1]) {
                continue; // ties keep the lower item number, already in
            }
            int at = size < k ? size++ : k - 1;
            while (at > 0 && bestScore[at - 1] < score) {
                best[at] = best[at - 1];
                bestScore[at] = bestScore[at - 1];
                at--;
            }
            best[at] = j;
            bestScore[at] = score;
        }
        return Arrays.copyOf(best, size);
    }

    /** nDCG@k of a ranking against the sorted held-out items: binary gains, the ideal over min(|held out|, k). */
    static double ndcgOf(int[] ranking, int[] heldOut, int k) {
        double dcg = 0;
        for (int r = 0; r < ranking.length; r++) {
            if (Arrays.binarySearch(heldOut, ranking[r]) >= 0) {
                dcg += 1 / (Math.log(r + 2) / Math.log(2));
            }
        }
        double ideal = 0;
        for (int r = 0; r < Math.min(heldOut.length, k); r++) {
            ideal += 1 / (Math.log(r + 2) / Math.log(2));
        }
        return dcg / ideal;
    }

    /** Neighbor lists turned around: for item i, the items j whose list holds i, with sim_j(i). */
    private record Inverted(int[] indptr, int[] items, float[] sims) {
        static Inverted of(ItemNeighbors.Lists lists, int n) {
            int[] indptr = new int[n + 1];
            for (int j = 0; j < lists.neighbors().length; j++) {
                for (int i : lists.neighbors()[j]) {
                    indptr[i + 1]++;
                }
            }
            for (int i = 0; i < n; i++) {
                indptr[i + 1] += indptr[i];
            }
            int[] next = Arrays.copyOf(indptr, n);
            int[] items = new int[indptr[n]];
            float[] sims = new float[indptr[n]];
            for (int j = 0; j < lists.neighbors().length; j++) {
                for (int t = 0; t < lists.neighbors()[j].length; t++) {
                    int at = next[lists.neighbors()[j][t]]++;
                    items[at] = j;
                    sims[at] = lists.similarities()[j][t];
                }
            }
            return new Inverted(indptr, items, sims);
        }
    }
}
