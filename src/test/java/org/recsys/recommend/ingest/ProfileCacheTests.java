package org.recsys.recommend.ingest;

import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.test.ESTestCase;

import java.util.List;
import java.util.Map;

/** A profile read before the cache was cleared (an index re-created, an alias moved) is not put after the clear. */
public class ProfileCacheTests extends ESTestCase {

    public void testAPutFromBeforeAClearIsDropped() {
        ProfileCache cache = new ProfileCache(ByteSizeValue.ofMb(1));
        ProfileCache.Key key = new ProfileCache.Key(Map.of(), "users", "m", "factors", "history", "u1");
        ProfileCache.Profile profile = ProfileCache.Profile.of(7, 1, Map.of(), null);
        long before = cache.generation(); // a batch starts reading
        cache.clear(); // the users index is deleted and created again meanwhile
        cache.put(key, profile, before);
        assertNull("the old index's sequence number is not kept", cache.get(key));
        cache.put(key, profile, cache.generation());
        assertEquals(profile, cache.get(key));
    }

    public void testProfilesAreWeighedByWhatTheyHoldOnTheHeap() {
        History history = History.empty();
        long shortest = ProfileCache.heapBytes(Map.of(), history);
        for (int i = 0; i < 100; i++) {
            history = history.append("item-" + i, 1, "2026-12-02T01:00:00Z", 500);
        }
        long hundred = ProfileCache.heapBytes(Map.of(), history);
        // each entry: the record, its list slot and two strings of 6-7 and 20 characters (each with its byte array)
        long perEntry = (hundred - shortest) / 100;
        assertTrue("per entry " + perEntry, perEntry >= 100 && perEntry <= 250);
        Map<String, Object> nested = Map.of("country", "a country name", "age", 42, "tags", List.of("a", "b", Map.of("deep", "x")));
        long withFields = ProfileCache.heapBytes(nested, history);
        assertTrue("other fields count too, nested ones included: " + (withFields - hundred), withFields - hundred > 300);
        assertTrue("but not hundreds of bytes a number: " + (withFields - hundred), withFields - hundred < 800);
        // the default 16mb then holds about 8,000 profiles of 10 entries: the set of users streaming events at once on a node
        assertTrue(ByteSizeValue.ofMb(16).getBytes() / (shortest + 10 * perEntry) > 5_000);
    }
}
