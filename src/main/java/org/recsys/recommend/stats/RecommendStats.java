package org.recsys.recommend.stats;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The node's counters of what the plugin did since the node started, one instance per node (a component: the actions
 * and the processor get the same one). {@code GET _recommend/_stats} reads them on every node, with the caches' figures.
 */
public final class RecommendStats {

    private final LongAdder recommendRequests = new LongAdder(); // _recommend entries (a batch counts each)
    private final LongAdder recommendFailures = new LongAdder();
    private final LongAdder recommendNanos = new LongAdder();
    private final LongAdder eventsFolded = new LongAdder(); // events acknowledged by recommend_update, once each
    private final LongAdder profileConflicts = new LongAdder(); // profile writes that conflicted and were applied again
    private final LongAdder trainingsStarted = new LongAdder();
    private final LongAdder trainingsFailed = new LongAdder();
    private volatile LongSupplier profileCacheEntries = () -> 0; // set by the processor's setup, which owns that cache

    /** Where the profile cache's entry count is read: the cache is built with the processor, after this. */
    public void profileCacheEntries(LongSupplier entries) {
        this.profileCacheEntries = entries;
    }

    public void recommendEntry(boolean failed, long nanos) {
        recommendRequests.increment();
        recommendNanos.add(nanos);
        if (failed) {
            recommendFailures.increment();
        }
    }

    public void eventsFolded(int events) {
        eventsFolded.add(events);
    }

    public void profileConflicts(int events) {
        profileConflicts.add(events);
    }

    public void trainingStarted() {
        trainingsStarted.increment();
    }

    public void trainingFailed() {
        trainingsFailed.increment();
    }

    /** The counters now. */
    public Counts counts() {
        return new Counts(recommendRequests.sum(), recommendFailures.sum(), recommendNanos.sum() / 1_000_000, eventsFolded.sum(),
            profileConflicts.sum(), trainingsStarted.sum(), trainingsFailed.sum(), profileCacheEntries.getAsLong());
    }

    /** A snapshot of the counters. */
    public record Counts(long recommendRequests, long recommendFailures, long recommendMillis, long eventsFolded,
        long profileConflicts, long trainingsStarted, long trainingsFailed, long profileCacheEntries) {}
}
