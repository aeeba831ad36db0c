package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RankingMetricsTests {

    @Test
    void handComputedValues() {
        RankingMetrics m = new RankingMetrics(3);
        // user 1: hits at ranks 1 and 3 of 3; 2 relevant
        m.add(List.of("a", "x", "b"), Set.of("a", "b"));
        // user 2: no hit
        m.add(List.of("x", "y", "z"), Set.of("c"));
        assertEquals((2 / 3.0 + 0) / 2, m.precision(), 1e-12);
        assertEquals((1.0 + 0) / 2, m.recall(), 1e-12);
        // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG over min(2, 3) = 2 ranks = 1 + 1/log2(3)
        assertEquals((1.5 / (1 + 1 / (Math.log(3) / Math.log(2)))) / 2, m.ndcg(), 1e-12);
        // AP = (1/1 + 2/3) / min(2, 3)
        assertEquals(((1 + 2 / 3.0) / 2) / 2, m.map(), 1e-12);
        assertEquals(0.5, m.hitRate(), 1e-12);
        assertEquals(5, m.coverage()); // a, x, b, y, z
    }

    @Test
    void usersWithoutHeldOutItemsAreNotCounted() {
        RankingMetrics m = new RankingMetrics(10);
        m.add(List.of("a"), Set.of());
        assertEquals(0, m.users());
    }
}
