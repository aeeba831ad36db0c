package org.recsys.recommend.blend;

import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.LongHeap;
import org.recsys.recommend.math.DotProducts;
import org.recsys.recommend.math.Int8Codes;
import org.recsys.recommend.math.KMeans;

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One segment's item vectors split into lists by k-means (an inverted-file index), for the collaborative signal's second
 * candidate generator ({@link PartitionProbeQuery}).
 *
 * <p>Why: HNSW on {@code max_inner_product} finds the top items of a user vector that looks like the data (ALS users,
 * near the items they liked) but misses most of them for a vector pointing elsewhere: on the 1M-item benchmark catalogue
 * (200 clusters) it kept 40 % of the exact top 100 for random directions with 500 candidates. Such a vector's best items
 * lie in the few clusters it points at, spread over several of them, while the graph search settles in one region. The
 * lists whose centroids score highest against the vector hold them: scanning them exactly recovers what the graph missed.
 *
 * <p>Lists: about {@value #DOCS_PER_LIST} vectors each (lists must be at least as fine as the data's own clusters: on
 * a simulation of the benchmark catalogue, 244 lists for its 200 clusters kept 97 % of a random vector's top 100 in the
 * probed sixteenth and 500 lists 99 %; on 200,000 items, 256 lists 96 % but 100 lists 70 %; at least
 * {@value #MIN_LISTS}, at most {@value #MAX_LISTS}). Centroids: k-means++ and {@value #ITERATIONS} Lloyd iterations on
 * a seeded sample of {@value #SAMPLE_PER_LIST} vectors per list; then every vector goes to its nearest centroid. Holds
 * 4 + dims bytes per vector (doc id and int8 codes) plus the centroids.
 */
final class FactorPartitions {

    static final int DOCS_PER_LIST = 2048;
    static final int MIN_LISTS = 16;
    static final int MAX_LISTS = 1024;
    static final int SAMPLE_PER_LIST = 64;
    static final int ITERATIONS = 10;
    /** At most 16M floats (64 MB) of sample, whatever the dims: the build's own heap is not in the cache's bound. */
    static final int MAX_SAMPLE_FLOATS = 1 << 24;
    private static final long SEED = 42;

    private final int dims;
    private final int lists;
    private final float[] centroids; // lists × dims
    private final int[] starts; // list l holds docs[starts[l] .. starts[l + 1])
    private final int[] docs; // segment doc ids grouped by list, increasing within a list
    private final float scale; // of the codes
    private final byte[] codes; // the vector of docs[i] as int8 codes at i × dims: a list's vectors are contiguous

    private FactorPartitions(int dims, int lists, float[] centroids, int[] starts, int[] docs, byte[] codes, float scale) {
        this.dims = dims;
        this.lists = lists;
        this.centroids = centroids;
        this.starts = starts;
        this.docs = docs;
        this.codes = codes;
        this.scale = scale;
    }

    /** Probed documents, increasing, with their approximate dot products with the query vector. */
    record Probe(int[] docs, float[] dots) {}

    /**
     * Fits and assigns the vectors of one segment, about {@code docsPerList} to a list ({@link #DOCS_PER_LIST}; tests use
     * small segments with lists as fine as a large one's); {@code values} is read by this thread only.
     */
    static FactorPartitions build(FloatVectorValues values, int docsPerList) throws IOException {
        int n = values.size();
        int dims = values.dimension();
        int lists = Math.max(MIN_LISTS, Math.min(MAX_LISTS, n / docsPerList));
        if (n < lists) {
            throw new IllegalArgumentException("a segment with " + n + " vectors is too small to partition");
        }
        int sampleSize = Math.min(n, Math.min(lists * SAMPLE_PER_LIST, MAX_SAMPLE_FLOATS / dims));
        float[] sample = new float[sampleSize * dims];
        SplittableRandom random = new SplittableRandom(SEED);
        for (int s = 0; s < sampleSize; s++) {
            // random ordinals, not a stride: a catalogue laid out periodically would alias with a stride
            int ord = sampleSize == n ? s : random.nextInt(n);
            System.arraycopy(values.vectorValue(ord), 0, sample, s * dims, dims);
        }
        float[] centroids = KMeans.fit(sample, sampleSize, dims, lists, ITERATIONS, SEED);
        KMeans.Nearest nearest = new KMeans.Nearest(centroids, lists, dims);
        int[] listOf = new int[n];
        int[] starts = new int[lists + 1];
        float largest = 0; // over every vector, not the sample: a scale from the sample would clip the largest components
        for (int ord = 0; ord < n; ord++) {
            float[] vector = values.vectorValue(ord);
            listOf[ord] = nearest.of(vector);
            starts[listOf[ord] + 1]++;
            largest = Int8Codes.largestMagnitude(vector, largest);
        }
        for (int l = 0; l < lists; l++) {
            starts[l + 1] += starts[l];
        }
        int[] next = Arrays.copyOf(starts, lists);
        int[] docs = new int[n];
        byte[] codes = new byte[n * dims];
        float scale = Int8Codes.scaleForLargest(largest);
        for (int ord = 0; ord < n; ord++) {
            int at = next[listOf[ord]]++;
            docs[at] = values.ordToDoc(ord);
            Int8Codes.encode(values.vectorValue(ord), scale, codes, at * dims);
        }
        return new FactorPartitions(dims, lists, centroids, starts, docs, codes, scale);
    }

    /**
     * Of the lists whose centroids score highest against {@code vector}, best list first until they hold at least
     * {@code wanted} documents, the {@code keep} live documents with the largest approximate dot products (int8 codes of both
     * sides: the lists' codes lie one after the other, so this reads a few megabytes sequentially where the exact floats
     * would be thousands of scattered reads).
     */
    Probe probe(float[] vector, int wanted, int keep, Bits liveDocs) {
        if (vector.length != dims) {
            throw new IllegalArgumentException("vector has " + vector.length + " dims, the partitions " + dims);
        }
        double[] scores = new double[lists];
        DotProducts.dots(vector, centroids, lists, scores, 0);
        Integer[] order = new Integer[lists];
        for (int l = 0; l < lists; l++) {
            order[l] = l;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        float queryScale = Int8Codes.scaleFor(vector);
        byte[] query = new byte[dims];
        Int8Codes.encode(vector, queryScale, query, 0);
        LongHeap top = new LongHeap(Math.max(1, keep)); // (approximate dot << 32 | doc): the largest dots, ties by doc
        int taken = 0;
        for (int i = 0; i < lists && taken < wanted; i++) {
            int l = order[i];
            for (int at = starts[l]; at < starts[l + 1]; at++) {
                if (liveDocs == null || liveDocs.get(docs[at])) { // deleted or hidden documents must not take places
                    top.insertWithOverflow(((long) Int8Codes.dot(query, codes, at * dims) << 32) | docs[at]);
                }
            }
            taken += starts[l + 1] - starts[l];
        }
        return byDoc(top, queryScale * scale);
    }

    /** The heap's documents in increasing order, with their int dot products × {@code scale}. */
    private static Probe byDoc(LongHeap top, float scale) {
        long[] byDoc = new long[top.size()];
        for (int i = 0; i < byDoc.length; i++) {
            long entry = top.pop();
            byDoc[i] = (entry << 32) | (entry >>> 32); // doc (never negative) high, the dot's bits low
        }
        Arrays.sort(byDoc);
        int[] docs = new int[byDoc.length];
        float[] dots = new float[byDoc.length];
        for (int i = 0; i < byDoc.length; i++) {
            docs[i] = (int) (byDoc[i] >>> 32);
            dots[i] = (int) byDoc[i] * scale;
        }
        return new Probe(docs, dots);
    }

    int lists() {
        return lists;
    }

    int size() {
        return docs.length;
    }

    /** The documents of list {@code l} (for tests). */
    int[] list(int l) {
        return Arrays.copyOfRange(docs, starts[l], starts[l + 1]);
    }

    /** An upper bound of {@link #bytes()} for a segment of {@code n} vectors of {@code dims}, reserved before building. */
    static long maxBytes(int n, int dims) {
        return 64 + 4L * ((long) MAX_LISTS * dims + MAX_LISTS + 1 + n) + (long) n * dims;
    }

    /** Heap held, for the cache's accounting. */
    long bytes() {
        return 64 + 4L * (centroids.length + starts.length + docs.length) + codes.length;
    }
}
