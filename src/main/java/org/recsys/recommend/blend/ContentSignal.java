package org.recsys.recommend.blend;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;

import java.io.IOException;

/**
 * Content signal: the BM25 score of a more-like-this query built from the history's content and the like-text. Its
 * explanation details every matching term's BM25 unless {@code explainTerms} is false: that breakdown re-scores each term
 * for the document and is the costliest part of explaining a page.
 */
public record ContentSignal(Query query, SignalWeighting weighting, boolean explainTerms) implements BlendSignal {

    @Override
    public Prepared prepare(IndexSearcher searcher) {
        return new Prepared() {
            private Weight weight;

            // Built on first use: when the content generator captured the scores, only explanations read them here, and
            // rewriting a more-like-this query (analysis, term statistics) is not free.
            private synchronized Weight weight() throws IOException {
                if (weight == null) {
                    weight = searcher.createWeight(searcher.rewrite(query), ScoreMode.COMPLETE, 1f);
                }
                return weight;
            }

            @Override
            public LeafSignal forLeaf(LeafReaderContext context) throws IOException {
                Weight w = weight();
                Scorer scorer = w.scorer(context);
                return scorer == null ? DotProductSignal.NoValues.INSTANCE : new Leaf(w, scorer, context);
            }
        };
    }

    /** Reads one segment's content scores in increasing doc id order. */
    private final class Leaf implements LeafSignal {
        private final Weight weight;
        private final Scorer scorer;
        private final LeafReaderContext context;

        Leaf(Weight weight, Scorer scorer, LeafReaderContext context) {
            this.weight = weight;
            this.scorer = scorer;
            this.context = context;
        }

        @Override
        public double raw(int doc) throws IOException {
            int current = scorer.docID();
            if (current < doc) {
                current = scorer.iterator().advance(doc);
            }
            return current == doc ? scorer.score() : 0;
        }

        @Override
        public Explanation explainRaw(int doc, double raw) throws IOException {
            if (explainTerms == false) {
                return raw > 0 ? Explanation.match((float) raw, "BM25 of the content query") : Explanation.match(0f, "no content match");
            }
            Explanation detail = weight.explain(context, doc);
            return detail.isMatch()
                ? Explanation.match((float) raw, "BM25 of the content query, computed as the score of its clauses from:", detail)
                : Explanation.match(0f, "no content match");
        }
    }

    @Override
    public String toString() {
        return "content(" + query + ")";
    }
}
