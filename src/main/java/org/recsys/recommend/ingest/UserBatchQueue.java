package org.recsys.recommend.ingest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Queued profile updates, taken in batches of whole users. A user whose update is in flight is busy: none of their queued
 * events is taken until the batch holding them releases them, so two batches never read and write the same profile at
 * once, and a user's events are applied in arrival order (events put back after a write conflict go first).
 */
final class UserBatchQueue<E> {

    private final Function<E, String> userOf;
    private final ArrayDeque<E> queue = new ArrayDeque<>(); // guarded by this
    private final Set<String> busy = new HashSet<>(); // guarded by this

    UserBatchQueue(Function<E, String> userOf) {
        this.userOf = userOf;
    }

    synchronized void add(E event) {
        queue.add(event);
    }

    /** Puts events back at the head of the queue, in their order: they are older than anything queued for their users. */
    synchronized void addFirst(List<E> events) {
        for (int i = events.size() - 1; i >= 0; i--) {
            queue.addFirst(events.get(i));
        }
    }

    /**
     * Takes every queued event of up to {@code maxUsers} users who are not busy, oldest users first, and marks those users
     * busy. Returns an empty list when nothing can be taken now.
     */
    synchronized List<E> take(int maxUsers) {
        Set<String> taken = new LinkedHashSet<>();
        List<E> batch = new ArrayList<>();
        ArrayDeque<E> left = new ArrayDeque<>();
        for (E event : queue) {
            String user = userOf.apply(event);
            boolean mayTake = taken.contains(user) || (busy.contains(user) == false && taken.size() < maxUsers);
            if (mayTake) {
                taken.add(user);
                batch.add(event);
            } else {
                left.add(event);
            }
        }
        queue.clear();
        queue.addAll(left);
        busy.addAll(taken);
        return batch;
    }

    /** The users of a finished batch may be taken again. */
    synchronized void release(Collection<String> users) {
        busy.removeAll(users);
    }

    synchronized int size() {
        return queue.size();
    }
}
