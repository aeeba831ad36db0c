package org.recsys.recommend.blend;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.store.AlreadyClosedException;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.unit.ByteSizeValue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's {@link FactorPartitions}, one per large segment and vector field, built in the background on the training
 * pool the first time a query reaches the segment: k-means over a 1M-vector segment takes seconds, which no query should
 * wait for. Until a segment's partitions are ready its queries use HNSW alone, as before. A segment's vectors never
 * change, so partitions live as long as the segment and go when it closes (or the build finds it closed).
 *
 * <p>For indices with {@code index.recommend.factor_partitions.enabled} (default true). Bounded by
 * {@code recommend.query.factor_partitions.max_size} (default 256mb; 4 + dims bytes per vector: room for 3.8M
 * items of 64 dims); a segment that does not fit gets none. Which segments count as large is the index setting
 * {@code index.recommend.factor_partitions.min_docs} (default {@value #DEFAULT_MIN_DOCS}): below it HNSW's recall was
 * already within target on the benchmark, and the exact scan of a probe would cost more than it brings.
 */
public final class FactorPartitionCache {

    private static final Logger logger = LogManager.getLogger(FactorPartitionCache.class);

    static final int DEFAULT_MIN_DOCS = 131_072;

    /**
     * On by default: on the 1M-item benchmark it lifted the blend's recall@100 for random user vectors from 0.66 to 1.00
     * (with the exhaustive generators' deeper lists) and kept both speed targets; it costs 4 + dims bytes of heap per
     * vector in large segments and a few seconds of k-means on the training pool per new large segment.
     */
    public static final Setting<Boolean> ENABLED = new Setting<>(
        "index.recommend.factor_partitions.enabled",
        "true",
        FactorPartitionCache::parseEnabled,
        Setting.Property.IndexScope,
        Setting.Property.Dynamic
    );

    /** Elasticsearch's boolean parser does not name the setting in its error. */
    private static boolean parseEnabled(String value) {
        if ("true".equals(value) || "false".equals(value)) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException("[index.recommend.factor_partitions.enabled] must be [true] or [false], got [" + value + "]");
    }

    public static final Setting<Integer> MIN_DOCS = Setting.intSetting(
        "index.recommend.factor_partitions.min_docs",
        DEFAULT_MIN_DOCS,
        1_000,
        Setting.Property.IndexScope,
        Setting.Property.Dynamic
    );

    public static final Setting<ByteSizeValue> MAX_SIZE = Setting.byteSizeSetting(
        "recommend.query.factor_partitions.max_size",
        ByteSizeValue.ofMb(256),
        ByteSizeValue.ZERO,
        ByteSizeValue.ofGb(8),
        Setting.Property.NodeScope
    );

    /** A build under way, or one that failed (not tried again for the segment's life). */
    private enum Marker {
        BUILDING,
        FAILED
    }

    private static volatile FactorPartitionCache installed = new FactorPartitionCache(null, 0);

    private final Executor builder; // null: never builds
    private final long maxBytes;
    private final int docsPerList;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger built = new AtomicInteger();
    private final Map<SegmentFieldKey, Object> entries = new ConcurrentHashMap<>();
    private final Set<Object> watchedCores = ConcurrentHashMap.newKeySet();

    FactorPartitionCache(Executor builder, long maxBytes) {
        this(builder, maxBytes, FactorPartitions.DOCS_PER_LIST);
    }

    FactorPartitionCache(Executor builder, long maxBytes, int docsPerList) {
        this.builder = builder;
        this.maxBytes = maxBytes;
        this.docsPerList = docsPerList;
    }

    /** Called once per node at startup: builds run on {@code executor}. */
    public static void install(Settings settings, Executor executor) {
        installed = new FactorPartitionCache(executor, MAX_SIZE.get(settings).getBytes());
    }

    static FactorPartitionCache current() {
        return installed;
    }

    /**
     * The partitions of {@code leaf}'s vectors in {@code field}, or null when they are not ready (a build is then started
     * if the segment holds at least {@code minDocs} vectors and none is under way) or the segment does not get any.
     */
    FactorPartitions get(LeafReader leaf, String field, int minDocs) throws IOException {
        if (builder == null || leaf.maxDoc() < minDocs) {
            return null; // a segment of fewer documents has fewer vectors: not worth a look up
        }
        FieldInfo info = leaf.getFieldInfos().fieldInfo(field);
        if (info == null || info.getVectorDimension() == 0) {
            // Also a reader that hides the field (field-level security) while it shares the segment's core, and so its
            // cache key, with readers that see it: partitions built for them must not rank documents for this caller.
            return null;
        }
        IndexReader.CacheHelper core = leaf.getCoreCacheHelper();
        if (core == null) {
            return null;
        }
        SegmentFieldKey key = new SegmentFieldKey(core.getKey(), field);
        Object entry = entries.get(key);
        if (entry instanceof FactorPartitions ready) {
            return ready;
        }
        if (entry != null) {
            return null;
        }
        FloatVectorValues values = leaf.getFloatVectorValues(field);
        if (values == null || values.size() < minDocs || (long) values.size() * values.dimension() > Integer.MAX_VALUE - 8) {
            return null;
        }
        long reserved = FactorPartitions.maxBytes(values.size(), values.dimension());
        if (reserve(reserved) == false) {
            return null; // no room within max_size: HNSW alone, as for a small segment
        }
        if (entries.putIfAbsent(key, Marker.BUILDING) != null) {
            bytes.addAndGet(-reserved);
            return null;
        }
        if (watchedCores.add(core.getKey())) { // one listener per core, however many builds it sees
            core.addClosedListener(closed -> {
                watchedCores.remove(closed);
                forget(closed);
            });
        }
        startBuild(key, leaf, field, reserved);
        return null;
    }

    private boolean reserve(long wanted) {
        while (true) {
            long now = bytes.get();
            if (now + wanted > maxBytes) {
                return false;
            }
            if (bytes.compareAndSet(now, now + wanted)) {
                return true;
            }
        }
    }

    private void startBuild(SegmentFieldKey key, LeafReader leaf, String field, long reserved) {
        // The segment's own reader, kept open until the build is done: the search that asked lets go of its reader when it
        // ends, and the search's wrappers check its timeout and cancellation, long gone by then.
        LeafReader segment = FilterLeafReader.unwrap(leaf);
        if (segment.tryIncRef() == false) {
            abandon(key, reserved);
            return;
        }
        try {
            builder.execute(() -> {
                try {
                    build(key, segment, field, reserved);
                } finally {
                    decRef(segment);
                }
            });
        } catch (RejectedExecutionException e) {
            decRef(segment);
            abandon(key, reserved); // the pool is busy: a later query tries again
        }
    }

    /** Gives up a build that may be tried again later: its marker and its reserved bytes go. */
    private void abandon(SegmentFieldKey key, long reserved) {
        entries.remove(key, Marker.BUILDING);
        bytes.addAndGet(-reserved);
    }

    private void build(SegmentFieldKey key, LeafReader segment, String field, long reserved) {
        FactorPartitions partitions;
        try {
            FloatVectorValues values = segment.getFloatVectorValues(field); // our own: vector values are not thread-safe
            long start = System.nanoTime();
            partitions = FactorPartitions.build(values, docsPerList);
            logger.info("partitioned the [{}] vectors of a segment ({} vectors, {} lists) in {} ms", field, partitions.size(),
                partitions.lists(), (System.nanoTime() - start) / 1_000_000);
        } catch (AlreadyClosedException e) {
            abandon(key, reserved);
            return;
        } catch (Exception e) {
            // the query path never depends on this: the segment keeps using HNSW alone
            logger.warn("could not partition the vectors of [" + field + "]", e);
            bytes.addAndGet(-reserved);
            entries.replace(key, Marker.BUILDING, Marker.FAILED);
            return;
        }
        bytes.addAndGet(partitions.bytes() - reserved); // what it holds, no longer the bound reserved for it
        built.incrementAndGet();
        if (entries.replace(key, Marker.BUILDING, partitions) == false) {
            bytes.addAndGet(-partitions.bytes()); // the segment closed while we built
        }
    }

    private static void decRef(LeafReader segment) {
        try {
            segment.decRef();
        } catch (IOException e) {
            logger.debug("closing a segment reader after partitioning", e);
        }
    }

    private void forget(Object closedCore) {
        for (SegmentFieldKey key : List.copyOf(entries.keySet())) {
            if (key.core() == closedCore && entries.remove(key) instanceof FactorPartitions partitions) {
                bytes.addAndGet(-partitions.bytes());
            }
            // a BUILDING marker removed here: its build finds it gone and gives its bytes back itself
        }
    }

    /** Segments with partitions ready (for tests). */
    int ready() {
        return (int) entries.values().stream().filter(v -> v instanceof FactorPartitions).count();
    }

    /** Heap the partitions hold or builds under way have reserved (for tests). */
    long bytes() {
        return bytes.get();
    }

    /** Builds that completed, for tests. */
    int built() {
        return built.get();
    }
}
