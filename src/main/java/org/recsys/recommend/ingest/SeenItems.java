package org.recsys.recommend.ingest;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A profile's seen set: the items a user interacted with that are no longer in their bounded history. History and seen set
 * are kept disjoint (an item back in the history leaves the set), so together they hold every item the user interacted
 * with, however long the history may grow, while only the history is read for fold-in and the signals.
 */
final class SeenItems {

    private SeenItems() {}

    /**
     * The seen set after the history went from {@code before} to {@code after} with events on {@code eventItems}: the items
     * that left the history join it, those in the history leave it. Null when nothing changed (the stored set stays).
     */
    static List<String> update(List<String> seen, History before, History after, Collection<String> eventItems) {
        Set<String> inHistory = new HashSet<>(after.items());
        Set<String> dropped = new LinkedHashSet<>();
        for (String item : before.items()) {
            if (inHistory.contains(item) == false) {
                dropped.add(item);
            }
        }
        for (String item : eventItems) {
            if (inHistory.contains(item) == false) {
                dropped.add(item); // added by one event of this batch, pushed out by a later one
            }
        }
        boolean returned = false;
        for (String item : seen) {
            if (inHistory.contains(item)) {
                returned = true;
                break;
            }
        }
        if (dropped.isEmpty() && returned == false) {
            return null;
        }
        LinkedHashSet<String> next = new LinkedHashSet<>(seen);
        next.removeAll(inHistory);
        next.addAll(dropped);
        return List.copyOf(next);
    }
}
