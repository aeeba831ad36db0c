package org.recsys.recommend.blend;

import org.apache.lucene.codecs.lucene95.HasIndexSlice;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.store.IndexInput;
import org.recsys.recommend.math.DotProducts;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Collaborative signal: the exact dot product of the query vector with the item's stored float vector. Lucene hands
 * back the original floats even when the HNSW graph is quantized, so this is exact whatever the index options.
 */
public record DotProductSignal(String field, float[] vector, SignalWeighting weighting) implements BlendSignal {

    /** Vectors gathered per batch of documents: 16 KB at 64 dims, comfortably in the first-level cache. */
    private static final int BATCH_VECTORS = 64;

    public DotProductSignal {
        vector = vector.clone();
    }

    @Override
    public Prepared prepare(org.apache.lucene.search.IndexSearcher searcher) {
        return context -> {
            FloatVectorValues values = context.reader().getFloatVectorValues(field);
            return values == null ? NoValues.INSTANCE : new Leaf(values, context.reader().maxDoc());
        };
    }

    /** Whether {@code leaf} reads its vectors straight from the segment's raw float slice (for tests). */
    static boolean readsRawSlice(LeafSignal leaf) throws IOException {
        return leaf instanceof Leaf l && l.dense && l.rawFloats() != null;
    }

    /** Reads one segment's vectors in increasing doc id order. */
    private final class Leaf implements LeafSignal {
        private final FloatVectorValues values;
        private final KnnVectorValues.DocIndexIterator iterator;
        private final boolean dense; // every document has a vector: its ordinal is its doc id
        private boolean sliceChecked;
        private IndexInput slice; // see rawFloats()
        private float[] batch;

        Leaf(FloatVectorValues values, int maxDoc) {
            this.values = values;
            this.iterator = values.iterator();
            this.dense = values.size() == maxDoc;
        }

        @Override
        public double raw(int doc) throws IOException {
            if (dense) {
                // The full scan reads every vector: skip the iterator (and the wrappers around it) per document.
                return DotProducts.dot(vector, values.vectorValue(doc), 0);
            }
            int current = iterator.docID();
            if (current < doc) {
                current = iterator.advance(doc);
            }
            return current == doc ? DotProducts.dot(vector, values.vectorValue(iterator.index()), 0) : 0;
        }

        /**
         * Dense segments: the documents' vectors are gathered into one array, a batch at a time (runs of consecutive
         * documents, as in a full scan, with one read each), then scored four at a time ({@link DotProducts#dots}).
         */
        @Override
        public void raw(int[] docs, int count, double[] out) throws IOException {
            if (dense == false) {
                LeafSignal.super.raw(docs, count, out);
                return;
            }
            if (batch == null) {
                batch = new float[BATCH_VECTORS * vector.length];
            }
            IndexInput raw = rawFloats();
            for (int from = 0; from < count; from += BATCH_VECTORS) {
                int n = Math.min(BATCH_VECTORS, count - from);
                gather(docs, from, n, raw);
                DotProducts.dots(vector, batch, n, out, from);
            }
        }

        private void gather(int[] docs, int from, int n, IndexInput raw) throws IOException {
            int dims = vector.length;
            for (int k = 0; k < n;) {
                int run = 1;
                if (raw != null) {
                    while (k + run < n && docs[from + k + run] == docs[from + k] + run) {
                        run++;
                    }
                    raw.seek((long) docs[from + k] * dims * Float.BYTES);
                    raw.readFloats(batch, k * dims, run * dims);
                } else {
                    System.arraycopy(values.vectorValue(docs[from + k]), 0, batch, k * dims, dims);
                }
                k += run;
            }
        }

        /**
         * The segment's raw little-endian float32 vectors as one file slice, ordinal-major, when the format exposes them
         * (Lucene's flat vectors do, through Elasticsearch's reader wrappers): checked by size, so a quantized or otherwise
         * encoded slice is never read as floats. Null: vector by vector through {@link FloatVectorValues#vectorValue}.
         */
        private IndexInput rawFloats() throws IOException {
            if (sliceChecked == false) {
                sliceChecked = true;
                int bytes = vector.length * Float.BYTES;
                if (values instanceof HasIndexSlice hasSlice && values.getVectorByteLength() == bytes) {
                    IndexInput whole = hasSlice.getSlice();
                    if (whole != null && whole.length() == (long) values.size() * bytes) {
                        slice = whole.clone(); // our own file position: the parts of a scan read at the same time
                    }
                }
            }
            return slice;
        }

        @Override
        public Explanation explainRaw(int doc, double raw) {
            boolean has = dense || iterator.docID() == doc;
            String description = has ? "dot product of user vector and [" + field + "]" : "no [" + field + "] vector";
            return Explanation.match((float) raw, description);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DotProductSignal other
            && field.equals(other.field)
            && Arrays.equals(vector, other.vector)
            && weighting.equals(other.weighting);
    }

    @Override
    public int hashCode() {
        return Objects.hash(field, Arrays.hashCode(vector), weighting);
    }

    @Override
    public String toString() {
        return "dot(" + field + ")";
    }

    /** A segment without the field: every item scores 0 on this signal. */
    enum NoValues implements LeafSignal {
        INSTANCE;

        @Override
        public double raw(int doc) {
            return 0;
        }

        @Override
        public Explanation explainRaw(int doc, double raw) {
            return Explanation.match(0f, "no values for this signal in this segment");
        }
    }
}
