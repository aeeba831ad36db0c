package org.recsys.recommend.query;

import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.elasticsearch.common.cache.Cache;
import org.elasticsearch.common.cache.CacheBuilder;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.unit.ByteSizeValue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The content fields' text of history items as the shard read it from their stored source ({@link ShardContent}), per
 * segment and document: reading a document's source decompresses its stored-fields block, which was a fifth of the CPU of
 * a three-signal recommend query on the 1M-item benchmark, and the same items recur across users' histories.
 *
 * <p>A segment's documents never change, so an entry is valid for the segment's life: an item updated since is a new
 * document (in a newer segment) and the old one is no longer live, so the lookup never reaches the old entry. Entries
 * are dropped when their segment closes. A reader that hides fields (field-level security) has field infos of its own,
 * rebuilt on every search: it reads without the cache, so text read with one caller's field permissions is never served
 * to another, and such readers do not fill the cache with entries nobody finds again. Bounded by an estimate of the
 * texts' heap, {@code recommend.query.history_text_cache.size} (default 16mb; 0 turns it off). One cache per node; the
 * plugin installs it at startup (query parsing on a shard has no other way to reach node components).
 */
public final class HistoryTextCache {

    public static final Setting<ByteSizeValue> SIZE = Setting.byteSizeSetting(
        "recommend.query.history_text_cache.size",
        ByteSizeValue.ofMb(16),
        ByteSizeValue.ZERO,
        ByteSizeValue.ofGb(1),
        Setting.Property.NodeScope
    );

    private static volatile HistoryTextCache installed = new HistoryTextCache(ByteSizeValue.ZERO);

    /** Reads an item's content texts from its stored source. */
    interface Loader {
        List<String> load() throws IOException;
    }

    /** A segment's core cache key (compared by identity, as it does not override equals), a document and its fields. */
    private record Key(Object core, int doc, List<String> fields) {}


    private final Cache<Key, List<String>> cache;
    private final boolean enabled;
    private final Set<Object> watchedCores = ConcurrentHashMap.newKeySet();

    HistoryTextCache(ByteSizeValue size) {
        this.enabled = size.getBytes() > 0;
        this.cache = CacheBuilder.<Key, List<String>>builder()
            .setMaximumWeight(Math.max(1, size.getBytes()))
            .weigher((key, texts) -> weigh(texts))
            .build();
    }

    /** Called once per node at startup with the node's settings. */
    public static void install(Settings settings) {
        installed = new HistoryTextCache(SIZE.get(settings));
    }

    static HistoryTextCache current() {
        return installed;
    }

    /** The texts of {@code doc} in {@code leaf}, from the cache or from {@code loader} (then cached). */
    List<String> texts(LeafReader leaf, int doc, List<String> fields, Loader loader) throws IOException {
        IndexReader.CacheHelper core = enabled ? leaf.getCoreCacheHelper() : null;
        if (core == null || FilterLeafReader.unwrap(leaf).getFieldInfos() != leaf.getFieldInfos()) {
            // a reader that hides fields (field-level security) has field infos of its own, rebuilt on every search: its
            // entries could never be found again and would only push other callers' out, so it reads without the cache
            return loader.load();
        }
        Key key = new Key(core.getKey(), doc, fields);
        List<String> cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        List<String> texts = List.copyOf(loader.load());
        if (watchedCores.add(core.getKey())) {
            core.addClosedListener(closed -> {
                watchedCores.remove(closed);
                List<Key> stale = new ArrayList<>();
                for (Key k : cache.keys()) {
                    if (k.core() == closed) {
                        stale.add(k);
                    }
                }
                stale.forEach(cache::invalidate);
            });
        }
        cache.put(key, texts);
        return texts;
    }

    long count() {
        return cache.count();
    }

    private static long weigh(List<String> texts) {
        long bytes = 96; // key, entry and list
        for (String text : texts) {
            bytes += 48 + 2L * text.length();
        }
        return bytes;
    }
}
