package org.recsys.recommend.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * A user's profile lists, built the way the plugin's {@code _train} builds them: the most recent {@code maxHistory} items
 * with a positive summed weight make the history that fold-in reads; every other item of the user (older ones, and those
 * weighing 0, which fold-in cannot use) goes to {@code seen}, so that recommendations still exclude it. Both oldest first,
 * as the ingest processor appends. "Recent" is the pair's latest event timestamp; pairs without one count as oldest, and
 * ties go by item id so that a run is reproducible.
 */
final class UserHistory {

    /** The history's weights are capped as the plugin caps a summed weight (its {@code Vectors.MAX_MAGNITUDE}). */
    static final double MAX_WEIGHT = 1_000_000;

    /**
     * One (user, item) pair: its summed weight and its latest timestamp, as text (an ISO-8601 UTC instant for a date field,
     * else as indexed) and as epoch millis; both null when none of the pair's events has one.
     */
    record Entry(String item, double weight, String ts, Long tsMillis) {}

    /** The lists, oldest first. */
    record Lists(List<Entry> history, List<String> seen) {}

    private static final Comparator<Entry> OLDEST_FIRST = Comparator.comparing(Entry::tsMillis,
        Comparator.nullsFirst(Comparator.<Long>naturalOrder())).thenComparing(Entry::item);

    private UserHistory() {}

    static Lists split(List<Entry> entries, int maxHistory) {
        List<Entry> ordered = new ArrayList<>(entries);
        ordered.sort(OLDEST_FIRST);
        List<Entry> history = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (int n = ordered.size() - 1; n >= 0; n--) {
            Entry entry = ordered.get(n);
            if (entry.weight() > 0 && history.size() < maxHistory) {
                history.add(entry);
            } else {
                seen.add(entry.item());
            }
        }
        Collections.reverse(history);
        Collections.reverse(seen);
        return new Lists(history, seen);
    }

    static float cappedWeight(double weight) {
        return (float) Math.min(weight, MAX_WEIGHT);
    }
}
