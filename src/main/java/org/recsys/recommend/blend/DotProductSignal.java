package org.recsys.recommend.blend;

import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.util.VectorUtil;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Collaborative signal: the exact dot product of the query vector with the item's stored float vector. Lucene hands
 * back the original floats even when the HNSW graph is quantized, so this is exact whatever the index options.
 */
public record DotProductSignal(String field, float[] vector, SignalWeighting weighting) implements BlendSignal {

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

    /** Reads one segment's vectors in increasing doc id order. */
    private final class Leaf implements LeafSignal {
        private final FloatVectorValues values;
        private final KnnVectorValues.DocIndexIterator iterator;
        private final boolean dense; // every document has a vector: its ordinal is its doc id

        Leaf(FloatVectorValues values, int maxDoc) {
            this.values = values;
            this.iterator = values.iterator();
            this.dense = values.size() == maxDoc;
        }

        @Override
        public double raw(int doc) throws IOException {
            if (dense) {
                // The full scan reads every vector: skip the iterator (and the wrappers around it) per document.
                return VectorUtil.dotProduct(vector, values.vectorValue(doc));
            }
            int current = iterator.docID();
            if (current < doc) {
                current = iterator.advance(doc);
            }
            return current == doc ? VectorUtil.dotProduct(vector, values.vectorValue(iterator.index())) : 0;
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
