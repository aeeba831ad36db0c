package org.recsys.recommend.blend;

import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.elasticsearch.core.CheckedFunction;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A popularity value that at least {@code wanted} documents of the shard reach, so that backfill can first search only the
 * documents at or above it ({@link ShardBackfill}). Without it, the backfill's sorted search visited a large share of a
 * 1M-item catalogue before Lucene's competitive skipping caught up: half of what caps cost in {@code _recommend}.
 *
 * <p>Each large segment's top {@value #KEPT} values are kept for the segment's life (a segment's documents never change;
 * entries go when it closes), keyed by its core and the field. Every reader of the segment shares them, also one that
 * hides documents (document-level security) or that is wrapped anew per search (field-level security builds new field
 * infos each time, so keying by them would never hit and would keep adding entries): the value is only a guess at where
 * to start, never shown, and backfill falls back to the whole index when the documents above it do not fill the page, so
 * the page is the same either way. A reader that hides the field itself gets no threshold from that segment.
 */
public final class PopularityThreshold {

    static final int KEPT = 4096;
    /** Segments smaller than this are not worth keeping: their documents are searched whatever the threshold. */
    static final int MIN_SEGMENT_DOCS = 16_384;

    /** A segment's popularity per document, asked in increasing doc order: the largest of its values, or NaN without one. */
    public interface LeafPopularity {
        double at(int doc) throws IOException;
    }

    private static final Map<SegmentFieldKey, double[]> TOP_VALUES = new ConcurrentHashMap<>();

    private PopularityThreshold() {}

    /**
     * The {@code wanted}-th largest popularity over the large segments of {@code leaves} (segments of at least
     * {@code minSegmentDocs}), or NaN when they hold fewer values than that.
     */
    static double of(List<LeafReaderContext> leaves, String field, CheckedFunction<LeafReaderContext, LeafPopularity, IOException> values,
        int wanted, int minSegmentDocs) throws IOException {
        double[][] lists = new double[leaves.size()][];
        int segments = 0;
        for (LeafReaderContext leaf : leaves) {
            if (leaf.reader().maxDoc() >= minSegmentDocs && leaf.reader().getFieldInfos().fieldInfo(field) != null) {
                lists[segments++] = topValues(leaf, field, values);
            }
        }
        double[][] kept = Arrays.copyOf(lists, segments);
        // a k-way merge of the segments' descending lists, stopped at the wanted-th value; heads are {segment, position}
        PriorityQueue<int[]> heads = new PriorityQueue<>((a, b) -> Double.compare(kept[b[0]][b[1]], kept[a[0]][a[1]]));
        for (int s = 0; s < segments; s++) {
            if (kept[s].length > 0) {
                heads.add(new int[] { s, 0 });
            }
        }
        for (int taken = 1; heads.isEmpty() == false; taken++) {
            int[] head = heads.poll();
            if (taken == wanted) {
                return kept[head[0]][head[1]];
            }
            if (++head[1] < kept[head[0]].length) {
                heads.add(head);
            }
        }
        return Double.NaN;
    }

    private static double[] topValues(LeafReaderContext leaf, String field,
        CheckedFunction<LeafReaderContext, LeafPopularity, IOException> values) throws IOException {
        IndexReader.CacheHelper core = leaf.reader().getCoreCacheHelper();
        SegmentFieldKey key = core == null ? null : new SegmentFieldKey(core.getKey(), field);
        double[] cached = key == null ? null : TOP_VALUES.get(key);
        if (cached != null) {
            return cached;
        }
        double[] top = read(leaf, values);
        if (key != null && TOP_VALUES.putIfAbsent(key, top) == null) {
            core.addClosedListener(closed -> TOP_VALUES.keySet().removeIf(k -> k.core() == closed));
        }
        return top;
    }

    /** The segment's {@value #KEPT} largest values (all, if fewer), descending; one pass over its doc values. */
    private static double[] read(LeafReaderContext leaf, CheckedFunction<LeafReaderContext, LeafPopularity, IOException> values)
        throws IOException {
        LeafPopularity popularity = values.apply(leaf);
        double[] heap = new double[KEPT]; // a min-heap of the largest values so far
        int size = 0;
        for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
            double value = popularity.at(doc);
            if (Double.isNaN(value)) {
                continue;
            }
            if (size < KEPT) {
                heap[size] = value;
                siftUp(heap, size++);
            } else if (value > heap[0]) {
                heap[0] = value;
                siftDown(heap, size);
            }
        }
        double[] top = Arrays.copyOf(heap, size);
        Arrays.sort(top);
        for (int i = 0, j = size - 1; i < j; i++, j--) {
            double swap = top[i];
            top[i] = top[j];
            top[j] = swap;
        }
        return top;
    }

    /** Segments and fields with kept values, for tests. */
    static int entries() {
        return TOP_VALUES.size();
    }

    private static void siftUp(double[] heap, int at) {
        while (at > 0 && heap[(at - 1) / 2] > heap[at]) {
            swap(heap, at, (at - 1) / 2);
            at = (at - 1) / 2;
        }
    }

    private static void siftDown(double[] heap, int size) {
        int at = 0;
        while (true) {
            int smallest = at;
            for (int child = 2 * at + 1; child <= 2 * at + 2 && child < size; child++) {
                if (heap[child] < heap[smallest]) {
                    smallest = child;
                }
            }
            if (smallest == at) {
                return;
            }
            swap(heap, at, smallest);
            at = smallest;
        }
    }

    private static void swap(double[] heap, int a, int b) {
        double t = heap[a];
        heap[a] = heap[b];
        heap[b] = t;
    }
}
