package org.recsys.recommend.blend;

import org.apache.lucene.search.DocIdSetIterator;

import java.util.Arrays;

/** Iterates sorted, distinct segment doc ids held in an array; {@link #index()} is the current doc's position in it. */
final class SortedDocsIterator extends DocIdSetIterator {

    private final int[] docs;
    private int index = -1;
    private int doc = -1;

    SortedDocsIterator(int[] docs) {
        this.docs = docs;
    }

    int index() {
        return index;
    }

    @Override
    public int docID() {
        return doc;
    }

    @Override
    public int nextDoc() {
        index++;
        doc = index < docs.length ? docs[index] : NO_MORE_DOCS;
        return doc;
    }

    @Override
    public int advance(int target) {
        if (index + 1 >= docs.length) {
            index = docs.length;
            doc = NO_MORE_DOCS;
            return doc;
        }
        // the ids are segment-local, so any target (NO_MORE_DOCS among them) is a plain search: nothing can overflow
        int found = Arrays.binarySearch(docs, index + 1, docs.length, target);
        index = (found >= 0 ? found : -found - 1) - 1;
        return nextDoc();
    }

    @Override
    public long cost() {
        return docs.length;
    }
}
