package org.recsys.recommend.ingest;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.get.MultiGetItemResponse;
import org.elasticsearch.action.get.MultiGetRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.cluster.metadata.IndexAbstraction;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.cache.Cache;
import org.elasticsearch.common.cache.CacheBuilder;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Item factors for fold-in, cached per node. Bounded by {@code recommend.cache.item_factors.max_entries}; an entry is
 * dropped when this node indexes or deletes that item (see {@link ItemWriteListener}) and expires after
 * {@code recommend.cache.item_factors.expire_after_write}, which bounds staleness for item writes on other nodes.
 * Items without factors are never cached, so an item indexed later is picked up at once.
 */
public final class ItemFactorCache {

    public static final Setting<Integer> MAX_ENTRIES = Setting.intSetting(
        "recommend.cache.item_factors.max_entries",
        100_000,
        0,
        Setting.Property.NodeScope
    );
    public static final Setting<TimeValue> EXPIRE_AFTER_WRITE = Setting.timeSetting(
        "recommend.cache.item_factors.expire_after_write",
        TimeValue.timeValueMinutes(5),
        TimeValue.timeValueSeconds(1),
        Setting.Property.NodeScope
    );

    private final Cache<String, float[]> cache;
    // The concrete index behind a name (an alias, or the index itself), null when it names several: entries are keyed by
    // the concrete index, since that is what a write on this node reports when it invalidates.
    private final Function<String, String> concreteIndex;
    // Indices whose items were ever cached: every write to any index on this node asks to invalidate, and most of them
    // (events, profiles) can have nothing here.
    private final Set<String> cachedIndices = ConcurrentHashMap.newKeySet();

    public ItemFactorCache(int maxEntries, TimeValue expireAfterWrite, Function<String, String> concreteIndex) {
        this.cache = CacheBuilder.<String, float[]>builder().setMaximumWeight(maxEntries).setExpireAfterWrite(expireAfterWrite).build();
        this.concreteIndex = concreteIndex;
    }

    /**
     * Resolves names with the node's cluster state: the one index an alias (or an index name) points to, null when it points
     * to several (their items are then not cached), the name itself when it does not exist (yet).
     */
    public static Function<String, String> concreteIndexIn(ClusterService clusterService) {
        return name -> {
            IndexAbstraction abstraction = clusterService.state().metadata().getProject().getIndicesLookup().get(name);
            if (abstraction == null) {
                return name;
            }
            return abstraction.getIndices().size() == 1 ? abstraction.getIndices().get(0).getName() : null;
        };
    }

    static String key(String index, String id) {
        return index + '\u0000' + id;
    }

    public void invalidate(String index, String id) {
        if (cachedIndices.contains(index)) {
            cache.invalidate(key(index, id));
        }
    }

    /**
     * Remembers factors read elsewhere (a {@code _refresh} scans every item's factors for the Gramian), so fold-in does not
     * fetch them again. A write to the item on this node drops the entry as for any other.
     */
    public void put(String index, String id, float[] vector) {
        String concrete = concreteIndex.apply(index);
        if (concrete != null) {
            cachedIndices.add(concrete); // before the entry exists, as in get
            cache.put(key(concrete, id), vector);
        }
    }

    public long size() {
        return cache.count();
    }

    /** Factors of {@code ids} found in {@code index} (items without a vector are absent from the map). */
    public void get(Client client, String index, String field, Collection<String> ids, ActionListener<Map<String, float[]>> listener) {
        Map<String, float[]> found = new HashMap<>();
        List<String> missing = new ArrayList<>();
        String concrete = concreteIndex.apply(index); // null: several indices behind the name, nothing is cached
        for (String id : ids) {
            float[] cached = concrete == null ? null : cache.get(key(concrete, id));
            if (cached != null) {
                found.put(id, cached);
            } else {
                missing.add(id);
            }
        }
        if (missing.isEmpty()) {
            listener.onResponse(found);
            return;
        }
        MultiGetRequest mget = new MultiGetRequest().realtime(true);
        FetchSourceContext source = FetchSourceContext.of(true, false, new String[] { field }, null);
        for (String id : missing) {
            mget.add(new MultiGetRequest.Item(index, id).fetchSourceContext(source));
        }
        client.multiGet(mget, listener.delegateFailureAndWrap((l, response) -> {
            for (MultiGetItemResponse item : response.getResponses()) {
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
                    if (concrete != null) {
                        // the index the document came from, before the entry exists, so a write racing with this put still
                        // invalidates it
                        cachedIndices.add(item.getIndex());
                        cache.put(key(item.getIndex(), item.getId()), vector);
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
