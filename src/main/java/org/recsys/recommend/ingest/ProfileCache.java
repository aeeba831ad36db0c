package org.recsys.recommend.ingest;

import org.elasticsearch.common.cache.Cache;
import org.elasticsearch.common.cache.CacheBuilder;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.unit.ByteSizeValue;

import java.util.Collection;
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
     * user's factors and history, which the fold-in rewrites), its history, and what it holds on the heap (see {@link #of}).
     */
    record Profile(long seqNo, long primaryTerm, Map<String, Object> source, History history, long heapBytes) {

        /** Weighed once here, not by the cache's weigher, which runs under the cache's global LRU lock. */
        static Profile of(long seqNo, long primaryTerm, Map<String, Object> source, History history) {
            return new Profile(seqNo, primaryTerm, source, history, ProfileCache.heapBytes(source, history));
        }

        Profile withVersion(long seqNo, long primaryTerm) {
            return new Profile(seqNo, primaryTerm, source, history, heapBytes);
        }
    }

    /**
     * An estimate of what a cached profile holds on the heap, which the size setting bounds: its history's entries and
     * their strings, and its other fields. (It was weighed by its serialized size, vector included, times a constant; the
     * cache keeps no vector, so that overstated a short history's profile several times over.)
     */
    static long heapBytes(Map<String, Object> source, History history) {
        long bytes = 96 + estimate(source); // the profile, the history and its list
        if (history != null) {
            for (History.Entry entry : history.entries()) {
                bytes += 48 + estimate(entry.item()) + estimate(entry.ts()); // the entry, its slot, its strings
            }
        }
        return bytes;
    }

    /** Rough heap sizes of parsed source values: strings, boxed numbers, maps and lists of them. */
    private static long estimate(Object value) {
        if (value == null) {
            return 0;
        } else if (value instanceof String string) {
            return 48 + string.length(); // object, hash and array headers, one byte a character (compact strings)
        } else if (value instanceof Number || value instanceof Boolean) {
            return 16;
        } else if (value instanceof Map<?, ?> map) {
            long bytes = 64;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                bytes += 32 + estimate(entry.getKey()) + estimate(entry.getValue());
            }
            return bytes;
        } else if (value instanceof Collection<?> list) {
            long bytes = 32;
            for (Object element : list) {
                bytes += 8 + estimate(element);
            }
            return bytes;
        }
        return 64;
    }

    private final Cache<Key, Profile> cache; // null: off
    private final AtomicLong clears = new AtomicLong();

    public ProfileCache(ByteSizeValue size) {
        this.cache = size.getBytes() == 0
            ? null
            : CacheBuilder.<Key, Profile>builder()
                .setMaximumWeight(size.getBytes())
                .weigher((k, p) -> p.heapBytes())
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

    public long size() {
        return cache == null ? 0 : cache.count();
    }
}
