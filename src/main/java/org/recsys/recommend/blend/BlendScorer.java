package org.recsys.recommend.blend;

import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Scorer;

import java.io.IOException;

/** Iterates candidates and scores each: Σ weight × normalize(raw), times the query boost. */
final class BlendScorer extends Scorer {

    private final DocIdSetIterator candidates;
    private final LeafSignal[] signals;
    private final SignalWeighting[] weightings;
    private final float boost;

    BlendScorer(DocIdSetIterator candidates, LeafSignal[] signals, SignalWeighting[] weightings, float boost) {
        this.candidates = candidates;
        this.signals = signals;
        this.weightings = weightings;
        this.boost = boost;
    }

    @Override
    public int docID() {
        return candidates.docID();
    }

    @Override
    public DocIdSetIterator iterator() {
        return candidates;
    }

    @Override
    public float score() throws IOException {
        int doc = candidates.docID();
        double sum = 0;
        for (int i = 0; i < signals.length; i++) {
            sum += weightings[i].contribution(signals[i].raw(doc));
        }
        return (float) (sum * boost);
    }

    @Override
    public float getMaxScore(int upTo) {
        // Normalized signals are bounded only for saturation/logistic; no cheap bound holds for linear, so claim none.
        return Float.MAX_VALUE;
    }
}
