package org.recsys.recommend.math;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Re-ranking of an already scored list, pure and deterministic: per-value caps, maximal marginal relevance (MMR), and
 * seeded dithering. Inputs are parallel arrays in the original rank order; outputs are indices into them.
 */
public final class Reranking {

    private Reranking() {}

    /**
     * Walks the ranking and keeps an item only if none of its values has already been kept {@code maxPerValue} times; stops
     * at {@code limit}. Items without values are never capped.
     */
    public static List<Integer> capPerValue(List<List<String>> values, int maxPerValue, int limit) {
        ValueCaps caps = new ValueCaps(maxPerValue);
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < values.size() && kept.size() < limit; i++) {
            if (caps.takeIfFits(values.get(i))) {
                kept.add(i);
            }
        }
        return kept;
    }

    /**
     * Greedy MMR (Carbonell &amp; Goldstein 1998): repeatedly picks argmax λ·rel(i) − (1 − λ)·max_{j picked} cos(v_i, v_j), with
     * rel = score / max score. λ = 1 is the original ranking, λ = 0 pure novelty. Items without a vector have similarity 0
     * to everything. Ties go to the better original rank.
     */
    public static List<Integer> mmr(double[] scores, float[][] vectors, double lambda, int limit) {
        int n = scores.length;
        double maxScore = 0;
        for (double s : scores) {
            maxScore = Math.max(maxScore, s);
        }
        double[] maxSimilarity = new double[n];
        boolean[] picked = new boolean[n];
        List<Integer> order = new ArrayList<>();
        while (order.size() < Math.min(limit, n)) {
            int best = -1;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (picked[i]) {
                    continue;
                }
                double relevance = maxScore > 0 ? scores[i] / maxScore : 0;
                double value = lambda * relevance - (1 - lambda) * maxSimilarity[i];
                if (value > bestValue) {
                    bestValue = value;
                    best = i;
                }
            }
            if (best < 0) {
                best = firstUnpicked(picked); // every value NaN (scores or vectors beyond float range): keep the original order
            }
            picked[best] = true;
            order.add(best);
            for (int i = 0; i < n; i++) {
                if (picked[i] == false) {
                    maxSimilarity[i] = Math.max(maxSimilarity[i], Vectors.cosine(vectors[i], vectors[best]));
                }
            }
        }
        return order;
    }

    private static int firstUnpicked(boolean[] picked) {
        int i = 0;
        while (picked[i]) {
            i++;
        }
        return i;
    }

    /**
     * Dithering: sorts by log(rank) + N(0, log ε) with a generator seeded from {@code seed}, so the same user and seed see
     * the same order while another seed rotates items in from further down. ε = 1 keeps the order; ε ≈ 1.5–3 is typical.
     */
    public static List<Integer> dither(int n, double epsilon, long seed) {
        Random random = new Random(seed);
        double sigma = Math.log(epsilon);
        double[] keys = new double[n];
        for (int i = 0; i < n; i++) {
            keys[i] = Math.log(i + 1) + (sigma > 0 ? random.nextGaussian() * sigma : 0);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort((a, b) -> keys[a] != keys[b] ? Double.compare(keys[a], keys[b]) : Integer.compare(a, b));
        return order;
    }
}
