package org.recsys.recommend.blend;

import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Scorer;

import java.util.Arrays;

/**
 * A scorer over documents whose blended scores were computed up front (sorted segment doc ids and their scores), so the
 * signals could read their data in one pass each instead of document by document.
 */
final class ScoredDocsScorer extends Scorer {

    private final int[] docs;
    private final double[] scores;
    private final float boost;
    private int index = -1;
    private int doc = -1;

    ScoredDocsScorer(int[] docs, double[] scores, float boost) {
        this.docs = docs;
        this.scores = scores;
        this.boost = boost;
    }

    @Override
    public int docID() {
        return doc;
    }

    @Override
    public float score() {
        return (float) (scores[index] * boost);
    }

    @Override
    public float getMaxScore(int upTo) {
        return Float.MAX_VALUE;
    }

    @Override
    public DocIdSetIterator iterator() {
        return new DocIdSetIterator() {
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
                if (target == NO_MORE_DOCS || index + 1 >= docs.length) {
                    index = docs.length;
                    doc = NO_MORE_DOCS;
                    return doc;
                }
                int found = Arrays.binarySearch(docs, index + 1, docs.length, target);
                index = (found >= 0 ? found : -found - 1) - 1;
                return nextDoc();
            }

            @Override
            public long cost() {
                return docs.length;
            }
        };
    }
}
