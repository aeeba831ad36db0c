package org.recsys.recommend.ingest;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.get.MultiGetItemResponse;
import org.elasticsearch.action.get.MultiGetRequest;
import org.elasticsearch.client.internal.Client;
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
    // Indices whose items were ever cached: every write to any index on this node asks to invalidate, and most of them
    // (events, profiles) can have nothing here.
    private final Set<String> cachedIndices = ConcurrentHashMap.newKeySet();

    public ItemFactorCache(int maxEntries, TimeValue expireAfterWrite) {
        this.cache = CacheBuilder.<String, float[]>builder().setMaximumWeight(maxEntries).setExpireAfterWrite(expireAfterWrite).build();
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
        cachedIndices.add(index); // before the entry exists, as in get
        cache.put(key(index, id), vector);
    }

    public long size() {
        return cache.count();
    }

    /** Factors of {@code ids} found in {@code index} (items without a vector are absent from the map). */
    public void get(Client client, String index, String field, Collection<String> ids, ActionListener<Map<String, float[]>> listener) {
        Map<String, float[]> found = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            float[] cached = cache.get(key(index, id));
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
                    cachedIndices.add(index); // before the entry exists, so a write racing with this put still invalidates it
                    cache.put(key(index, item.getId()), vector);
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
