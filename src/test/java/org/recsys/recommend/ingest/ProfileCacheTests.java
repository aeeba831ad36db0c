package org.recsys.recommend.ingest;

import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.test.ESTestCase;

import java.util.Map;

/** A profile read before the cache was cleared (an index re-created, an alias moved) is not put after the clear. */
public class ProfileCacheTests extends ESTestCase {

    public void testAPutFromBeforeAClearIsDropped() {
        ProfileCache cache = new ProfileCache(ByteSizeValue.ofMb(1));
        ProfileCache.Key key = new ProfileCache.Key(Map.of(), "users", "m", "factors", "history", "u1");
        ProfileCache.Profile profile = new ProfileCache.Profile(7, 1, Map.of(), null, 10);
        long before = cache.generation(); // a batch starts reading
        cache.clear(); // the users index is deleted and created again meanwhile
        cache.put(key, profile, before);
        assertNull("the old index's sequence number is not kept", cache.get(key));
        cache.put(key, profile, cache.generation());
        assertEquals(profile, cache.get(key));
    }
}
