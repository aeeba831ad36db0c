package org.recsys.recommend.ingest;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HistoryTests {

    @Test
    void repeatsMergeTheirWeightsAndMoveToTheMostRecentPlace() {
        History h = History.empty().append("a", 1, "t1", 10).append("b", 2, "t2", 10).append("a", 3, "t3", 10);
        assertEquals(List.of("b", "a"), h.items());
        assertEquals(new History.Entry("a", 4, "t3"), h.entries().get(1)); // 1 + 3, latest timestamp
    }

    @Test
    void summedWeightsStopAtTheBoundSoThatTheStoredHistoryStaysReadable() {
        // two events of 600,000 on one item: the sum would be refused when read back, failing every later event of the user
        History h = History.empty().append("a", 600_000, null, 10).append("a", 600_000, null, 10);
        assertEquals(1_000_000, h.entries().get(0).weight(), 0);
        assertEquals(h.entries(), History.fromStored("history", h.toSource()).entries());
        // a sum stored before the bound (or by a training) reads at the bound; given to the plugin it is still refused
        List<Map<String, Object>> old = List.of(Map.of("item", "a", "weight", 1_200_000.0));
        assertEquals(1_000_000, History.fromStored("history", old).entries().get(0).weight(), 0);
        assertThrows(IllegalArgumentException.class, () -> History.fromSource("history", old));
    }

    @Test
    void theOldestEntriesAreDroppedBeyondTheBound() {
        History h = History.empty();
        for (int i = 0; i < 7; i++) {
            h = h.append("i" + i, 1, null, 3);
        }
        assertEquals(List.of("i4", "i5", "i6"), h.items());
    }

    @Test
    void readsIdsAndObjectsAndRoundTripsThroughSource() {
        History h = History.fromSource("history", List.of("x", Map.of("item", "y", "weight", 2.5, "ts", "t"), "x"));
        assertEquals(List.of("y", "x"), h.items());
        assertEquals(2.0, h.entries().get(1).weight(), 0); // "x" twice
        assertEquals(h.entries(), History.fromSource("history", h.toSource()).entries());
    }

    @Test
    void malformedHistoriesNameTheField() {
        IllegalArgumentException notList = assertThrows(IllegalArgumentException.class, () -> History.fromSource("history", "x"));
        assertEquals("[history] must be an array of items, got [x]", notList.getMessage());
        assertThrows(IllegalArgumentException.class, () -> History.fromSource("history", List.of(Map.of("item", "a", "weight", -1))));
        // a zero weight folds in nothing (and the query refuses it): refused where the history comes in
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
            () -> History.fromSource("history", List.of(Map.of("item", "a", "weight", 0))));
        assertEquals("[history] entry for [a] has an invalid [weight] [0]: it must be a number > 0 and at most 1000000", zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> History.fromSource("history", List.of(Map.of("item", "a", "weight", 1e308))));
        assertThrows(IllegalArgumentException.class, () -> History.fromSource("history", List.of(Map.of("weight", 1))));
        assertThrows(IllegalArgumentException.class, () -> History.fromSource("history", List.of(42)));
    }
}
