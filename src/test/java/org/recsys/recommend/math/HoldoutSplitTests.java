package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HoldoutSplitTests {

    private static Map<Integer, Float> row(Interactions m, int u) {
        Map<Integer, Float> cells = new HashMap<>();
        for (int p = m.indptr()[u]; p < m.indptr()[u + 1]; p++) {
            cells.put(m.indices()[p], m.values()[p]);
        }
        return cells;
    }

    @Test
    void everyUserKeepsSomethingAndHoldsOutItsShareOfTheRest() {
        Interactions data = RandomInteractions.draw(new Random(3), 200, 80, 4000, 3);
        HoldoutSplit split = HoldoutSplit.of(data, 0.2, 42, 1_000);
        int validation = 0;
        for (int u = 0; u < data.rows(); u++) {
            Map<Integer, Float> all = row(data, u);
            Map<Integer, Float> kept = row(split.fit(), u);
            int[] held = split.heldOut()[u];
            assertEquals(all.size(), kept.size() + held.length, "user " + u);
            for (int item : held) {
                assertTrue(all.containsKey(item) && kept.containsKey(item) == false, "held out once, not kept: " + item);
            }
            kept.forEach((item, value) -> assertEquals(all.get(item), value, "kept with its strength"));
            if (all.size() >= 2) {
                assertEquals(Math.min(all.size() - 1, Math.max(1, Math.round(0.2 * all.size()))), held.length, "user " + u);
                assertTrue(kept.isEmpty() == false);
                validation++;
            } else {
                assertEquals(0, held.length, "a single item stays in the fit");
            }
        }
        assertEquals(validation, split.validationUsers());
    }

    @Test
    void theSameSeedGivesTheSameSplitAndMaxUsersBoundsTheValidation() {
        Interactions data = RandomInteractions.draw(new Random(5), 100, 40, 1500, 1);
        HoldoutSplit a = HoldoutSplit.of(data, 0.3, 7, 1_000);
        HoldoutSplit b = HoldoutSplit.of(data, 0.3, 7, 1_000);
        assertArrayEquals(a.fit().indices(), b.fit().indices());
        assertArrayEquals(a.heldOut(), b.heldOut());
        HoldoutSplit bounded = HoldoutSplit.of(data, 0.3, 7, 10);
        assertEquals(10, bounded.validationUsers());
        assertEquals(data.nnz(), bounded.fit().nnz() + java.util.Arrays.stream(bounded.heldOut()).mapToInt(h -> h.length).sum());
        assertThrows(IllegalArgumentException.class, () -> HoldoutSplit.of(data, 1, 7, 10));
    }
}
