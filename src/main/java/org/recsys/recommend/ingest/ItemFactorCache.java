package org.recsys.recommend.ingest;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.get.MultiGetItemResponse;
import org.elasticsearch.action.get.MultiGetRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.cluster.metadata.IndexAbstraction;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.cache.Cache;
import org.elasticsearch.common.cache.CacheBuilder;
import org.elasticsearch.common.hash.MurmurHash3;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.index.Index;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.recsys.recommend.math.FoldInSolver;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * Item factors for fold-in, cached per node. Bounded in bytes by {@code recommend.cache.item_factors.size}; an entry is
 * dropped when this node indexes or deletes that item (see {@link ItemWriteListener}), every entry of an items index when
 * a model over it gets a new state (a {@code _train} or {@code _refresh} on any node: see {@link #invalidateIndex}), and
 * entries expire after {@code recommend.cache.item_factors.expire_after_write}, which bounds staleness for single item
 * writes on other nodes. Items without factors are never cached, so an item indexed later is picked up at once.
 */
public final class ItemFactorCache {

    public static final Setting<ByteSizeValue> SIZE = Setting.byteSizeSetting(
        "recommend.cache.item_factors.size",
        ByteSizeValue.ofMb(64),
        ByteSizeValue.ZERO,
        ByteSizeValue.ofGb(4),
        Setting.Property.NodeScope
    );
    public static final Setting<TimeValue> EXPIRE_AFTER_WRITE = Setting.timeSetting(
        "recommend.cache.item_factors.expire_after_write",
        TimeValue.timeValueMinutes(5),
        TimeValue.timeValueSeconds(1),
        Setting.Property.NodeScope
    );

    public static final Setting<ByteSizeValue> PROJECTIONS_SIZE = Setting.byteSizeSetting(
        "recommend.cache.fold_in_projections.size",
        ByteSizeValue.ofMb(16),
        ByteSizeValue.ZERO,
        ByteSizeValue.ofGb(1),
        Setting.Property.NodeScope
    );

    private final Cache<ItemKey, Cached> cache;

    /**
     * Cached factors and the field they were read from: a model serves one of two fields ({@code ModelFields}), and a read
     * of the other one (a fold-in that still had the model from before a switch) must not answer for the field served now.
     */
    private record Cached(String field, float[] vector) {}
    // Each item's projection onto the model's shared fold-in factorization (k doubles), computed once per item and model
    // instead of once per event. Keyed by the factors array itself (arrays hash and compare by identity): the cache above
    // hands out the same array until the item is written or the entry expires, and new factors arrive as a new array, so a
    // projection can never be paired with factors it was not computed from. The solver's id is checked too: a new Gramian
    // makes every entry stale (an id, not the solver: stale entries must not keep old solvers' k × k matrices alive). A
    // plain concurrent map, read without locks on every history item of every event, emptied when it outgrows its byte
    // bound (no LRU order to keep up per read: it is a memo, and refills at the cost of one solve per item).
    private final Map<float[], Projection> projections = new ConcurrentHashMap<>();
    private final long maxProjectionBytes;

    private record Projection(long solver, double[] w) {}

    // per entry: the projection (8 bytes a dim), the factors array its key keeps alive (4 a dim), map entry and headers
    private static long projectionBytes(int dims) {
        return 12L * dims + 96;
    }

    // The concrete index behind a name (an alias, or the index itself), null when it names several: entries are keyed by
    // the concrete index and its UUID, since that is what a write on this node reports when it invalidates, and an index
    // deleted and created again under the same name is another index.
    private final Function<String, Index> concreteIndex;
    // Writes seen per index whose items were ever read for the cache, counted in stripes of item ids. Every write to any
    // index on this node asks to invalidate, and most of them (events, profiles) find no counts here and stop. Factors read
    // before a write and put after its invalidation would undo it, so a put happens only if no write reached the item's
    // stripe since the read began (and is taken back if one came while putting). Stripes keep a stream of writes to some
    // items (stock levels, nudges) from stopping the caching of all the others.
    private static final int STRIPES = 1024;
    private final Map<Index, AtomicLongArray> writes = new ConcurrentHashMap<>();
    // Per index, how many times a model over it got a new state (see invalidateIndex): factors read before are not put.
    private final Map<Index, AtomicLong> states = new ConcurrentHashMap<>();
    private final long maxBytes;

    public ItemFactorCache(ByteSizeValue size, TimeValue expireAfterWrite, ByteSizeValue projectionsSize,
        Function<String, Index> concreteIndex) {
        this.maxBytes = size.getBytes();
        this.cache = CacheBuilder.<ItemKey, Cached>builder()
            .setMaximumWeight(maxBytes)
            .weigher((key, cached) -> entryBytes(key, cached.vector()))
            .setExpireAfterWrite(expireAfterWrite)
            .build();
        this.maxProjectionBytes = projectionsSize.getBytes();
        this.concreteIndex = concreteIndex;
    }

    // the floats, the array and key objects, the two strings' characters, and the cache's entry
    private static long entryBytes(ItemKey key, float[] vector) {
        return 4L * vector.length + 2L * (key.id().length() + key.indexUuid().length()) + 160;
    }

    /** Collects the factors of the items of a scan, then puts them; see {@link #startFill}. */
    public interface Fill {
        void put(String index, String id, float[] vector);

        /** Puts what was collected (call it once the state computed from the scan is stored). */
        void commit();
    }

    /**
     * Resolves names with the node's cluster state: the one index an alias (or an index name) points to, null when it points
     * to several or to none (their items are then not cached).
     */
    public static Function<String, Index> concreteIndexIn(ClusterService clusterService) {
        return name -> {
            IndexAbstraction abstraction = clusterService.state().metadata().getProject().getIndicesLookup().get(name);
            return abstraction != null && abstraction.getIndices().size() == 1 ? abstraction.getIndices().get(0) : null;
        };
    }

    /**
     * An item of one concrete index. Its hash is mixed (murmur3's finalizer): ids such as "i1234" differ in their last
     * characters only, so their String hashes differ in a few low bits, and the cache picks a segment with some bits and a
     * bucket within it with others: unmixed, the items of a segment crowded into a few buckets (tree bins in CPU profiles).
     */
    record ItemKey(String indexUuid, String id) {
        @Override
        public int hashCode() {
            return (int) MurmurHash3.fmix(((long) indexUuid.hashCode() << 32) ^ id.hashCode());
        }

        @Override
        public boolean equals(Object other) { // the record's own, spelled out because hashCode is
            return other instanceof ItemKey that && id.equals(that.id) && indexUuid.equals(that.indexUuid);
        }
    }

    static ItemKey key(Index index, String id) {
        return new ItemKey(index.getUUID(), id);
    }

    public void invalidate(Index index, String id) {
        AtomicLongArray counts = writes.get(index);
        if (counts != null) {
            counts.incrementAndGet(stripe(id)); // before the entry goes: see putIfUnwritten
            cache.invalidate(key(index, id));
        }
    }

    /**
     * Drops every entry of {@code index}: a model over it got a new state, and with it (a {@code _train}) new factors for
     * items whose shards may live on other nodes, whose writes this node never saw. Reads in flight are kept from putting
     * what they fetched before (the index's state count moves). {@link ModelStateChanges} runs the two halves apart: the
     * first on the cluster-state applier thread, the walk on another.
     */
    public void invalidateIndex(Index index) {
        if (stopCaching(index)) {
            dropEntries(index);
        }
    }

    /**
     * The cheap, immediate half of {@link #invalidateIndex}: from now on, reads that began before do not put what they
     * fetched. Returns whether there can be entries to drop ({@link #dropEntries}, which walks the whole cache).
     */
    public boolean stopCaching(Index index) {
        if (writes.containsKey(index) == false) {
            return false; // nothing of it was ever read here
        }
        stateOf(index).incrementAndGet();
        return true;
    }

    /** Drops every entry of {@code index} (a walk over every key of the cache: off the cluster-state applier thread). */
    public void dropEntries(Index index) {
        List<ItemKey> stale = new ArrayList<>();
        for (ItemKey key : cache.keys()) {
            if (key.indexUuid().equals(index.getUUID())) {
                stale.add(key);
            }
        }
        stale.forEach(cache::invalidate);
    }

    /**
     * Starts remembering factors that a scan of {@code index} reads anyway (a {@code _refresh} reads every item's factors for
     * the Gramian), so fold-in does not fetch them again. Call it before the scan's first search, and commit it once the
     * state computed from the scan is stored: that state change drops every older entry of the index (see
     * {@link #invalidateIndex}), and the scanned factors are the ones the new state was computed from. An item written on
     * this node after the scan began may have newer factors than the scan's, and is not put. The fill only uses the room
     * that was free when it began: it never evicts entries fold-in fetched.
     */
    public Fill startFill(String index, String field) {
        Index concrete = concreteIndex.apply(index);
        if (concrete == null) {
            return new Fill() {
                @Override
                public void put(String hitIndex, String id, float[] vector) {}

                @Override
                public void commit() {}
            };
        }
        AtomicLongArray counts = writesTo(concrete);
        long[] writesBefore = new long[STRIPES];
        for (int i = 0; i < STRIPES; i++) {
            writesBefore[i] = counts.get(i);
        }
        long room = maxBytes - cache.weight();
        return new Fill() {
            private final List<ItemKey> keys = new ArrayList<>();
            private final List<float[]> vectors = new ArrayList<>();
            private long bytes;

            @Override
            public void put(String hitIndex, String id, float[] vector) {
                ItemKey key = key(concrete, id);
                if (hitIndex.equals(concrete.getName()) && bytes + entryBytes(key, vector) <= room) {
                    keys.add(key);
                    vectors.add(vector);
                    bytes += entryBytes(key, vector);
                }
            }

            @Override
            public void commit() {
                long state = stateOf(concrete).get(); // the state the scan's factors were stored with
                for (int i = 0; i < keys.size(); i++) {
                    String id = keys.get(i).id();
                    putIfUnwritten(concrete, id, new Cached(field, vectors.get(i)), writesBefore[stripe(id)], state);
                }
            }
        };
    }

    private AtomicLong stateOf(Index index) {
        return states.computeIfAbsent(index, i -> new AtomicLong());
    }

    private static int stripe(String id) {
        return (id.hashCode() & 0x7fffffff) % STRIPES;
    }

    /** The write counts of {@code concreteIndex}, counted from the first call on: call it before reading its factors. */
    private AtomicLongArray writesTo(Index concreteIndex) {
        return writes.computeIfAbsent(concreteIndex, i -> new AtomicLongArray(STRIPES));
    }

    private void putIfUnwritten(Index concrete, String id, Cached value, long writesBefore, long stateBefore) {
        AtomicLongArray writesNow = writesTo(concrete);
        AtomicLong stateNow = stateOf(concrete);
        int stripe = stripe(id);
        if (writesNow.get(stripe) != writesBefore || stateNow.get() != stateBefore) {
            return;
        }
        ItemKey key = key(concrete, id);
        cache.put(key, value);
        if (writesNow.get(stripe) != writesBefore || stateNow.get() != stateBefore) {
            cache.invalidate(key); // a write or a new state came while putting: its invalidation may have run before the put
        }
    }

    public long size() {
        return cache.count();
    }

    /** The entries' estimated heap, what {@code recommend.cache.item_factors.size} bounds. */
    public long bytes() {
        return cache.weight();
    }

    /** Hits, misses and evictions since the node started. */
    public org.elasticsearch.common.cache.Cache.Stats stats() {
        return cache.stats();
    }

    /** Projections remembered for fold-in. */
    public long projections() {
        return projections.size();
    }

    /** The item index's concrete index as this cache keys it, or null when the name points to several or none. */
    public Index concrete(String index) {
        return concreteIndex.apply(index);
    }

    long projectionCount() {
        return projections.size();
    }

    /**
     * {@code solver}'s projections of item factors this cache handed out, remembered (see {@link FoldInSolver#solve(List,
     * float[], Function)}); computed afresh for factors it has not seen with this solver.
     */
    public Function<float[], double[]> projections(FoldInSolver solver) {
        return y -> {
            Projection known = projections.get(y);
            if (known != null && known.solver() == solver.id()) {
                return known.w();
            }
            double[] w = solver.project(y);
            long entries = maxProjectionBytes / projectionBytes(w.length);
            if (projections.size() >= entries) {
                projections.clear(); // concurrent puts may overshoot the bound by a few entries: it stays bounded
            }
            if (entries > 0) {
                projections.put(y, new Projection(solver.id(), w));
            }
            return w;
        };
    }

    /** Factors of {@code ids} found in {@code index} (items without a vector are absent from the map). */
    public void get(Client client, String index, String field, Collection<String> ids, ActionListener<Map<String, float[]>> listener) {
        Map<String, float[]> found = new HashMap<>();
        List<String> missing = new ArrayList<>();
        Index concrete = concreteIndex.apply(index); // null: several indices behind the name (or none), nothing is cached
        for (String id : ids) {
            Cached cached = concrete == null ? null : cache.get(key(concrete, id));
            if (cached != null && cached.field().equals(field)) {
                found.put(id, cached.vector());
            } else {
                missing.add(id);
            }
        }
        if (missing.isEmpty()) {
            listener.onResponse(found);
            return;
        }
        long[] writesBefore = new long[missing.size()];
        long stateBefore = concrete == null ? 0 : stateOf(concrete).get();
        if (concrete != null) {
            AtomicLongArray counts = writesTo(concrete);
            for (int i = 0; i < writesBefore.length; i++) {
                writesBefore[i] = counts.get(stripe(missing.get(i)));
            }
        }
        MultiGetRequest mget = new MultiGetRequest().realtime(true);
        FetchSourceContext source = FetchSourceContext.of(true, false, new String[] { field }, null);
        for (String id : missing) {
            mget.add(new MultiGetRequest.Item(index, id).fetchSourceContext(source));
        }
        client.multiGet(mget, listener.delegateFailureAndWrap((l, response) -> {
            MultiGetItemResponse[] items = response.getResponses();
            for (int i = 0; i < items.length; i++) {
                MultiGetItemResponse item = items[i]; // in the order asked: item i is missing.get(i)
                if (item.isFailed()) {
                    l.onFailure(item.getFailure().getFailure());
                    return;
                }
                if (item.getResponse().isExists() == false) {
                    continue;
                }
                Map<String, Object> doc = item.getResponse().getSourceAsMap();
                // an item whose field holds something other than numbers has no usable factors: it is absent, as if it
                // had none, so one bad document fails only the events on that item, not every user batched with it
                float[] vector = toVector(doc == null ? null : doc.get(field));
                if (vector != null) {
                    if (concrete != null && item.getIndex().equals(concrete.getName())) { // not if the alias moved since
                        putIfUnwritten(concrete, item.getId(), new Cached(field, vector), writesBefore[i], stateBefore);
                    }
                    found.put(item.getId(), vector);
                }
            }
            l.onResponse(found);
        }));
    }

    /** A stored vector as floats, or null when the value is not a non-empty array of finite numbers. */
    static float[] toVector(Object value) {
        if (value instanceof List<?> list && list.isEmpty() == false) {
            float[] v = new float[list.size()];
            for (int i = 0; i < v.length; i++) {
                if (list.get(i) instanceof Number n && Float.isFinite(n.floatValue())) {
                    v[i] = n.floatValue();
                } else {
                    return null;
                }
            }
            return v;
        }
        return null;
    }
}
