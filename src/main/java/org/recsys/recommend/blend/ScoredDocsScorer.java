package org.recsys.recommend.blend;

import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Scorer;

/**
 * A scorer over documents whose blended scores were computed up front (sorted segment doc ids and their scores), so the
 * signals could read their data in one pass each instead of document by document.
 */
final class ScoredDocsScorer extends Scorer {

    private final SortedDocsIterator docs;
    private final double[] scores;
    private final float boost;

    ScoredDocsScorer(int[] docs, double[] scores, float boost) {
        this.docs = new SortedDocsIterator(docs);
        this.scores = scores;
        this.boost = boost;
    }

    @Override
    public int docID() {
        return docs.docID();
    }

    @Override
    public float score() {
        return (float) (scores[docs.index()] * boost);
    }

    @Override
    public float getMaxScore(int upTo) {
        return Float.MAX_VALUE;
    }

    @Override
    public DocIdSetIterator iterator() {
        return docs;
    }
}
