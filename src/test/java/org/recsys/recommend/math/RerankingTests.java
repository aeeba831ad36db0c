package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RerankingTests {

    @Test
    void capsKeepTheBestItemsThatFitAndNeverExceedACap() {
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            List<List<String>> values = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                values.add(List.of("g" + random.nextInt(5)));
            }
            int cap = 1 + random.nextInt(3);
            List<Integer> kept = Reranking.capPerValue(values, cap, 10);
            // brute force: the greedy walk is the reference definition
            List<Integer> expected = new ArrayList<>();
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < values.size() && expected.size() < 10; i++) {
                String g = values.get(i).get(0);
                if (counts.getOrDefault(g, 0) < cap) {
                    counts.merge(g, 1, Integer::sum);
                    expected.add(i);
                }
            }
            assertEquals(expected, kept);
        }
    }

    @Test
    void mmrWithLambdaOneKeepsTheRankingAndLowerLambdaSpreadsOut() {
        double[] scores = { 1.0, 0.99, 0.98, 0.5 };
        float[][] vectors = { { 1, 0 }, { 1, 0.01f }, { 0.99f, 0 }, { 0, 1 } };
        assertEquals(List.of(0, 1, 2, 3), Reranking.mmr(scores, vectors, 1.0, 4));
        // λ = 0.5: after item 0, near-duplicates score 0.5·0.99 − 0.5·1.0 < 0.5·0.5 − 0.5·0 for the orthogonal item 3
        assertEquals(List.of(0, 3), Reranking.mmr(scores, vectors, 0.5, 2));
    }

    @Test
    void mmrOverValuesBeyondFloatRangeKeepsTheOriginalOrderInsteadOfFailing() {
        // infinite scores make every relevance NaN, infinite components every similarity: no value beats -∞
        double[] scores = { Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 1.0 };
        float[][] vectors = { { Float.POSITIVE_INFINITY, 0 }, { Float.MAX_VALUE, Float.MAX_VALUE }, { 0, 1 } };
        List<Integer> order = Reranking.mmr(scores, vectors, 0.5, 3);
        assertEquals(3, order.size());
        assertEquals(Set.of(0, 1, 2), Set.copyOf(order));
    }

    @Test
    void ditheringIsStablePerSeedAndRotatesAcrossSeeds() {
        List<Integer> a = Reranking.dither(50, 2.0, 7);
        assertEquals(a, Reranking.dither(50, 2.0, 7));
        assertNotEquals(a, Reranking.dither(50, 2.0, 8));
        assertEquals(Reranking.dither(50, 1.0, 7), Reranking.dither(50, 1.0, 9)); // ε = 1: no noise
        assertEquals(0, Reranking.dither(50, 1.0, 7).get(0));
        assertTrue(a.stream().distinct().count() == 50);
    }
}
