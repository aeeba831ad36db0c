package org.recsys.recommend.blend;

import org.apache.lucene.search.Explanation;

import java.io.IOException;

/** A signal's raw value for the documents of one segment, read forward-only in increasing doc id order. */
public interface LeafSignal {

    double raw(int doc) throws IOException;

    /**
     * raw() of {@code count} increasing documents into {@code out}, continuing forward from earlier calls: signals are
     * read one after the other over a whole batch of documents, so each signal's reads run in a tight loop (vector reads
     * whose cache misses overlap). Signals whose data is cheaper to read in one pass (a walk per posting list) override it;
     * both forms give the same values.
     */
    default void raw(int[] docs, int count, double[] out) throws IOException {
        for (int i = 0; i < count; i++) {
            out[i] = raw(docs[i]);
        }
    }

    /** Where {@code raw} came from, e.g. which history items make up a neighbor sum. */
    Explanation explainRaw(int doc, double raw) throws IOException;
}
