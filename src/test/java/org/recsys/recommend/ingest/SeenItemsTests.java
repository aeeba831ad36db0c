package org.recsys.recommend.ingest;

import org.junit.jupiter.api.Test;
import org.recsys.recommend.query.SeenIds;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeenItemsTests {

    @Test
    void itemsPushedOutOfTheHistoryJoinTheSeenSet() {
        History before = History.empty().append("a", 1, null, 2).append("b", 1, null, 2);
        History after = before.append("c", 1, null, 2);
        assertEquals(List.of("a"), SeenItems.update(List.of(), before, after, List.of("c")));
    }

    @Test
    void anItemBackInTheHistoryLeavesTheSeenSet() {
        History before = History.empty().append("b", 1, null, 2).append("c", 1, null, 2);
        History after = before.append("a", 1, null, 2); // a was seen long ago; b drops out
        assertEquals(List.of("b"), SeenItems.update(List.of("a"), before, after, List.of("a")));
    }

    @Test
    void nothingChangesWhileTheHistoryHasRoom() {
        History before = History.empty().append("a", 1, null, 5);
        assertNull(SeenItems.update(List.of("z"), before, before.append("b", 1, null, 5), List.of("b")));
    }

    @Test
    void anItemAddedAndPushedOutInOneBatchIsSeen() {
        History before = History.empty().append("a", 1, null, 1);
        History after = before.append("b", 1, null, 1).append("c", 1, null, 1);
        assertEquals(Set.of("a", "b"), new HashSet<>(SeenItems.update(List.of(), before, after, List.of("b", "c"))));
    }

    /** Property: history ∪ seen is exactly every item ever sent, and the two stay disjoint, whatever the bound and order. */
    @Test
    void historyAndSeenSetTogetherHoldEveryItemEverSent() {
        Random random = new Random(7);
        for (int run = 0; run < 50; run++) {
            int bound = 1 + random.nextInt(5);
            History history = History.empty();
            List<String> seen = List.of();
            Set<String> sent = new HashSet<>();
            for (int batch = 0; batch < 30; batch++) {
                History before = history;
                List<String> items = random.ints(1 + random.nextInt(4), 0, 20).mapToObj(i -> "i" + i).toList();
                for (String item : items) {
                    history = history.append(item, 1, null, bound);
                    sent.add(item);
                }
                List<String> next = SeenItems.update(seen, before, history, items);
                seen = next == null ? seen : next;
                Set<String> union = new HashSet<>(seen);
                union.addAll(history.items());
                assertEquals(sent, union);
                assertEquals(seen.size() + history.items().size(), union.size(), "disjoint");
                assertTrue(history.items().size() <= bound);
            }
        }
    }

    @Test
    void aMalformedSeenSetNamesTheField() {
        assertEquals(List.of("a"), SeenIds.fromSource("seen", "a"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeenIds.fromSource("seen", List.of("a", 3)));
        assertEquals("[seen] must be an array of item ids, got [3]", e.getMessage());
    }
}
