package org.recsys.recommend.math;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of a greedy per-value-caps walk: how many items holding each value were taken so far. An item fits when none of
 * its values has reached {@code maxPerValue}; an item without values always fits.
 */
public final class ValueCaps {

    private final int maxPerValue;
    private final Map<String, Integer> counts = new HashMap<>();

    public ValueCaps(int maxPerValue) {
        this.maxPerValue = checkedCap(maxPerValue);
    }

    /** The cap, if it is one (at least 1). */
    public static int checkedCap(int maxPerValue) {
        if (maxPerValue < 1) {
            throw new IllegalArgumentException("[max_per_value] must be >= 1, got [" + maxPerValue + "]");
        }
        return maxPerValue;
    }

    /** Takes the item if it fits, counting its values; returns whether it was taken. */
    public boolean takeIfFits(List<String> values) {
        for (String v : values) {
            if (counts.getOrDefault(v, 0) >= maxPerValue) {
                return false;
            }
        }
        take(values);
        return true;
    }

    /** Counts an item that is taken whatever the caps say (it is already on the page). */
    public void take(List<String> values) {
        values.forEach(v -> counts.merge(v, 1, Integer::sum));
    }

    /** The values that cannot take another item. */
    public List<String> fullValues() {
        return counts.entrySet().stream().filter(e -> e.getValue() >= maxPerValue).map(Map.Entry::getKey).sorted().toList();
    }

    public void clear() {
        counts.clear();
    }
}
