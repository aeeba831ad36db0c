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

    /** An estimate of the heap the candidates and captured scores hold. */
    long bytes() {
        long bytes = 64 + 4L * docs.length;
        for (CapturedScores captured : capturedBySignal) {
            bytes += captured == null ? 0 : captured.bytes();
        }
        return bytes;
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

    /** The candidates inside one segment, as segment-local doc ids; null when there are none. */
    DocIdSetIterator iterator(LeafReaderContext context) {
        int[] local = docsIn(context);
        return local.length == 0 ? null : new SortedDocsIterator(local);
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
