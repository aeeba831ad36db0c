package org.recsys.recommend.spark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UserHistoryTests {

    private static UserHistory.Entry entry(String item, double weight, Long millis) {
        return new UserHistory.Entry(item, weight, millis == null ? null : "t" + millis, millis);
    }

    private static List<String> items(List<UserHistory.Entry> entries) {
        return entries.stream().map(UserHistory.Entry::item).toList();
    }

    @Test
    void mostRecentPositiveItemsMakeTheHistoryTheRestIsSeen() {
        // by time: x (no timestamp: oldest), a@1, z@2 (weight 0), b@3, c@4, d@5; max_history 3
        List<UserHistory.Entry> entries = new ArrayList<>(List.of(entry("d", 1, 5L), entry("a", 2, 1L), entry("z", 0, 2L),
            entry("c", 1, 4L), entry("x", 1, null), entry("b", 3, 3L)));
        Collections.shuffle(entries, new Random(3));
        UserHistory.Lists lists = UserHistory.split(entries, 3);
        // the 3 newest with weight > 0 (b, c, d), oldest first; everything else oldest first (x before a: no time = oldest)
        assertEquals(List.of("b", "c", "d"), items(lists.history()));
        assertEquals(List.of("x", "a", "z"), lists.seen());
    }

    @Test
    void tiesGoByItemId() {
        UserHistory.Lists lists = UserHistory.split(List.of(entry("b", 1, 7L), entry("a", 1, 7L), entry("c", 1, 7L)), 2);
        assertEquals(List.of("b", "c"), items(lists.history()));
        assertEquals(List.of("a"), lists.seen());
    }

    @Test
    void weightsAreCappedLikeThePlugins() {
        assertEquals(1_000_000f, UserHistory.cappedWeight(5e6));
        assertEquals(2.5f, UserHistory.cappedWeight(2.5));
    }
}
