package org.recsys.recommend.blend;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;

import java.util.Arrays;

/**
 * The union of the candidate generators' top documents for one index reader, as sorted global doc ids. It belongs to
 * that reader only ({@code readerIdentity}), like the doc ids inside Lucene's rewritten kNN query.
 */
final class CandidateDocs {

    private final int[] docs;
    private final Object readerIdentity;
    // Per signal index: the scores a generator captured for that signal, or null. A function of the query and the reader,
    // like the docs, so it does not enter equals/hashCode.
    private final CapturedScores[] capturedBySignal;

    CandidateDocs(int[] unsortedDocs, Object readerIdentity, CapturedScores[] capturedBySignal) {
        this.docs = Arrays.stream(unsortedDocs).sorted().distinct().toArray();
        this.readerIdentity = readerIdentity;
        this.capturedBySignal = capturedBySignal.clone();
    }

    /** The raw values a generator captured for signal {@code signal}, or null when the signal must read its own. */
    CapturedScores captured(int signal) {
        return capturedBySignal[signal];
    }

    int size() {
        return docs.length;
    }

    Object readerIdentity() {
        return readerIdentity;
    }

    /** The candidates inside one segment, as sorted segment-local doc ids. */
    int[] docsIn(LeafReaderContext context) {
        int from = lowerBound(context.docBase);
        int to = lowerBound(context.docBase + context.reader().maxDoc());
        int[] local = new int[to - from];
        for (int i = from; i < to; i++) {
            local[i - from] = docs[i] - context.docBase;
        }
        return local;
    }

    /** The candidates inside one segment, as segment-local doc ids. */
    DocIdSetIterator iterator(LeafReaderContext context) {
        int from = lowerBound(context.docBase);
        int to = lowerBound(context.docBase + context.reader().maxDoc());
        if (from == to) {
            return null;
        }
        return new DocIdSetIterator() {
            private int index = from - 1;
            private int doc = -1;

            @Override
            public int docID() {
                return doc;
            }

            @Override
            public int nextDoc() {
                index++;
                doc = index < to ? docs[index] - context.docBase : NO_MORE_DOCS;
                return doc;
            }

            @Override
            public int advance(int target) {
                // Past the segment (NO_MORE_DOCS among them) means exhausted; adding docBase to such a target would
                // overflow and move the iterator backwards, which conjunctions (a bool filter around this query) cannot
                // survive.
                if (target >= context.reader().maxDoc()) {
                    index = to;
                    doc = NO_MORE_DOCS;
                    return doc;
                }
                int found = lowerBound(target + context.docBase);
                index = Math.max(found, index + 1) - 1;
                return nextDoc();
            }

            @Override
            public long cost() {
                return to - from;
            }
        };
    }

    private int lowerBound(int globalDoc) {
        int i = Arrays.binarySearch(docs, globalDoc);
        return i >= 0 ? i : -i - 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CandidateDocs other && readerIdentity == other.readerIdentity && Arrays.equals(docs, other.docs);
    }

    @Override
    public int hashCode() {
        return 31 * System.identityHashCode(readerIdentity) + Arrays.hashCode(docs);
    }
}
