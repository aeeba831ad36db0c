package org.recsys.recommend.ingest;

import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.index.Index;
import org.elasticsearch.test.ESTestCase;
import org.recsys.recommend.math.FoldInSolver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The cache's fill from a scan: what a write may have changed since the scan began is not put, and the fill never evicts. */
public class ItemFactorCacheTests extends ESTestCase {

    private static final Index V2 = new Index("items-v2", "uuid-2");
    private static final Map<String, Index> INDICES = Map.of("catalogue", V2, "items-v2", V2, "items", new Index("items", "uuid-1"));

    // what one entry of a one-float vector with a two-character id weighs (an index UUID of six characters)
    private static final long ONE_FLOAT_ENTRY = 4 + 2 * (2 + 6) + 160;

    /** A cache with room for {@code entries} one-float vectors of two-character ids. */
    private static ItemFactorCache cache(int entries) {
        return new ItemFactorCache(ByteSizeValue.ofBytes(entries * ONE_FLOAT_ENTRY), TimeValue.timeValueMinutes(5),
            ByteSizeValue.ofBytes(2 * (12 * 2 + 96)), INDICES::get);
    }

    /**
     * Elasticsearch's cache picks one of 256 segments with the key's low bits, then a hash map bucket with its bits mixed as
     * HashMap does: ids like "i1234" must spread over both, or a segment's items share a few buckets.
     */
    public void testItemKeysSpreadOverSegmentsAndBuckets() {
        Map<Integer, List<Integer>> segments = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            int h = ItemFactorCache.key(V2, "i" + i).hashCode();
            segments.computeIfAbsent(h & 0xff, s -> new ArrayList<>()).add(h);
        }
        assertEquals("every segment used", 256, segments.size());
        int fullest = 0;
        for (List<Integer> hashes : segments.values()) {
            int buckets = Integer.highestOneBit(hashes.size() * 2); // the table a hash map of that size keeps
            int[] counts = new int[buckets];
            for (int h : hashes) {
                fullest = Math.max(fullest, ++counts[(h ^ (h >>> 16)) & (buckets - 1)]);
            }
        }
        assertTrue("no bucket near a tree bin (8): fullest " + fullest, fullest < 8);
    }

    public void testProjectionsAreRememberedPerFactorsArrayAndSolver() {
        ItemFactorCache cache = cache(100);
        FoldInSolver solver = new FoldInSolver(new double[] { 2, 0, 0, 3 }, 2, 1, 10);
        float[] y = { 1, 2 };
        double[] w = cache.projections(solver).apply(y);
        assertArrayEquals("(G + λI)⁻¹ y", new double[] { 1.0 / 3, 2.0 / 4 }, w, 1e-12);
        assertSame("the same factors with the same solver: remembered", w, cache.projections(solver).apply(y));
        assertNotSame("equal factors in another array (an item written again): computed afresh", w,
            cache.projections(solver).apply(new float[] { 1, 2 }));
        FoldInSolver refreshed = new FoldInSolver(new double[] { 4, 0, 0, 4 }, 2, 1, 10); // a new Gramian
        assertArrayEquals("another solver's projection, not the remembered one", new double[] { 1.0 / 5, 2.0 / 5 },
            cache.projections(refreshed).apply(y), 1e-12);
        cache.projections(solver).apply(new float[] { 3, 4 });
        assertEquals("bounded by the setting (room for 2 of 2 dims here)", 2, cache.projectionCount());
        ItemFactorCache none = new ItemFactorCache(ByteSizeValue.ofKb(100), TimeValue.timeValueMinutes(5), ByteSizeValue.ZERO,
            INDICES::get);
        assertArrayEquals("0 remembers nothing, and still answers", w, none.projections(solver).apply(y), 1e-12);
        assertEquals(0, none.projectionCount());
    }

    public void testAWriteDuringTheScanKeepsThatItemOut() {
        ItemFactorCache cache = cache(100);
        ItemFactorCache.Fill fill = cache.startFill("catalogue", "factors"); // through an alias: entries go under the concrete index
        cache.invalidate(V2, "i1"); // written on this node after the scan began: the scan may hold its old factors
        fill.put("items-v2", "i1", new float[] { 1 });
        fill.put("items-v2", "i2", new float[] { 2 });
        fill.commit();
        assertEquals("i2 is cached, i1 is not", 1, cache.size());
        cache.invalidate(V2, "i2");
        assertEquals("a later write drops the entry, keyed by the concrete index", 0, cache.size());
    }

    public void testAnIndexCreatedAgainUnderTheSameNameIsAnotherIndex() {
        ItemFactorCache cache = cache(100);
        ItemFactorCache.Fill fill = cache.startFill("catalogue", "factors");
        fill.put("items-v2", "i1", new float[] { 1 });
        fill.commit();
        assertEquals(1, cache.size());
        cache.invalidate(new Index("items-v2", "uuid-of-the-new-index"), "i1"); // a write to the re-created index
        assertEquals("the old index's entry is not the new one's", 1, cache.size());
        cache.invalidate(V2, "i1");
        assertEquals(0, cache.size());
    }

    public void testAHitFromAnotherIndexIsNotPut() {
        ItemFactorCache cache = cache(100);
        ItemFactorCache.Fill fill = cache.startFill("catalogue", "factors");
        fill.put("items-v1", "i1", new float[] { 1 }); // the alias moved while scanning: that index's writes are not counted
        fill.commit();
        assertEquals(0, cache.size());
    }

    public void testTheFillUsesOnlyFreeRoom() {
        ItemFactorCache cache = cache(3);
        ItemFactorCache.Fill fill = cache.startFill("items", "factors");
        for (int i = 0; i < 10; i++) {
            fill.put("items", "i" + i, new float[] { i });
        }
        fill.commit();
        assertEquals(3, cache.size());
    }

    public void testTheBoundIsInBytesSoLongVectorsTakeMoreRoom() {
        ItemFactorCache cache = cache(100); // 100 one-float entries: 18,000 bytes
        ItemFactorCache.Fill fill = cache.startFill("items", "factors");
        for (int i = 0; i < 10; i++) {
            fill.put("items", "i" + i, new float[1024]); // 4 KB each
        }
        fill.commit();
        assertTrue("1,024-dim vectors fill it after a few: " + cache.size(), cache.size() <= 5);
    }

    public void testANewModelStateDropsEveryEntryOfItsIndexAndNoOther() {
        ItemFactorCache cache = cache(100);
        ItemFactorCache.Fill v2 = cache.startFill("catalogue", "factors");
        ItemFactorCache.Fill v1 = cache.startFill("items", "factors");
        v2.put("items-v2", "i1", new float[] { 1 });
        v2.put("items-v2", "i2", new float[] { 2 });
        v1.put("items", "i1", new float[] { 3 });
        v2.commit();
        v1.commit();
        assertEquals(3, cache.size());
        cache.invalidateIndex(V2);
        assertEquals("only the other index's entry is left", 1, cache.size());
        // a scan that computed the new state commits after it: its factors are the new state's
        ItemFactorCache.Fill refresh = cache.startFill("catalogue", "factors");
        refresh.put("items-v2", "i3", new float[] { 4 });
        cache.invalidateIndex(V2);
        refresh.commit();
        assertEquals(2, cache.size());
    }
}
