package org.recsys.recommend.ingest;

import org.apache.lucene.util.RamUsageEstimator;
import org.elasticsearch.common.cache.Cache;
import org.elasticsearch.common.cache.CacheBuilder;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.unit.ByteSizeValue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The profiles this node's group commits wrote last, so that the next events of a recent user skip reading the profile
 * back. A profile is cached with the sequence number of our own write, and the next write goes out with {@code if_seq_no}
 * on it: any other write in between (another node's events, the users pipeline, an application updating the user) makes
 * that write conflict, and the conflicting events are then read fresh and applied again, as before the cache. So the
 * cache saves reads, never changes what is written, with one limit: a default or final pipeline on the users index that
 * changes profiles on their way in sees the copy as this node last sent it, not as the pipeline left it. Entries are keyed
 * by the caller's request headers too, so a read done with one caller's privileges is never reused for another caller
 * (clients sending per-request headers get no hits), and the cache is emptied on every change of the cluster's metadata
 * (an index deleted and re-created, an alias moved, restart sequence numbers). Bounded by an estimate of the profiles'
 * heap, {@code recommend.ingest.profile_cache.size} (default 16mb; 0 turns the cache off).
 */
public final class ProfileCache {

    public static final Setting<ByteSizeValue> SIZE = Setting.byteSizeSetting(
        "recommend.ingest.profile_cache.size",
        ByteSizeValue.ofMb(16),
        ByteSizeValue.ZERO,
        ByteSizeValue.ofGb(1),
        Setting.Property.NodeScope
    );

    /**
     * Whose profile, in which index, for which model (several models may share a users index with their own vector and
     * history fields: a copy without one model's vector must never be written back by another), read with whose privileges.
     */
    record Key(Map<String, String> headers, String index, String model, String factorsField, String historyField, String user) {}

    /**
     * A profile as this node last wrote it: its sequence number and primary term, its other fields (the source without the
     * user's factors and history, which the fold-in rewrites) and its history.
     */
    record Profile(long seqNo, long primaryTerm, Map<String, Object> source, History history) {}

    // what one history entry holds on the heap besides its strings: the record and its slot in the entries' list
    private static final long ENTRY_BYTES = RamUsageEstimator.shallowSizeOfInstance(History.Entry.class)
        + RamUsageEstimator.NUM_BYTES_OBJECT_REF;
    // the profile and history objects and the entries' array header (computed once: shallowSizeOfInstance reflects)
    private static final long PROFILE_BYTES = RamUsageEstimator.shallowSizeOfInstance(Profile.class)
        + RamUsageEstimator.shallowSizeOfInstance(History.class) + RamUsageEstimator.NUM_BYTES_ARRAY_HEADER;

    /**
     * An estimate of what a cached profile holds on the heap, which the size setting bounds: its history's entries and
     * strings, and its other fields. (It was weighed by its serialized size, vector included, times a constant; the cache
     * keeps no vector, so that counted a short history's profile about four times.)
     */
    static long heapBytes(Profile profile) {
        long bytes = PROFILE_BYTES + (profile.source().isEmpty() ? 0 : RamUsageEstimator.sizeOfMap(profile.source()));
        if (profile.history() != null) {
            for (History.Entry entry : profile.history().entries()) {
                bytes += ENTRY_BYTES + RamUsageEstimator.sizeOf(entry.item());
                bytes += entry.ts() == null ? 0 : RamUsageEstimator.sizeOf(entry.ts());
            }
        }
        return bytes;
    }

    private final Cache<Key, Profile> cache; // null: off
    private final AtomicLong clears = new AtomicLong();

    public ProfileCache(ByteSizeValue size) {
        this.cache = size.getBytes() == 0
            ? null
            : CacheBuilder.<Key, Profile>builder()
                .setMaximumWeight(size.getBytes())
                .weigher((k, p) -> heapBytes(p))
                .build();
    }

    /** Drops every entry: an index deleted or an alias moved may restart sequence numbers where a cached one could match. */
    public void clear() {
        clears.incrementAndGet(); // first: a batch that read before this clear must not put its profile after it
        if (cache != null) {
            cache.invalidateAll();
        }
    }

    /** Taken by a batch before it reads profiles: its puts are dropped if the cache was cleared since. */
    long generation() {
        return clears.get();
    }

    Profile get(Key key) {
        return cache == null ? null : cache.get(key);
    }

    void put(Key key, Profile profile, long generation) {
        if (cache != null && clears.get() == generation) {
            cache.put(key, profile);
            if (clears.get() != generation) {
                cache.invalidate(key); // cleared while putting: the clear may have run before the put
            }
        }
    }

    void invalidate(Key key) {
        if (cache != null) {
            cache.invalidate(key);
        }
    }

    long size() {
        return cache == null ? 0 : cache.count();
    }
}
