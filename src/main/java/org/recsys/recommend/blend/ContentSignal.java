package org.recsys.recommend.blend;

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
    public Prepared prepare(IndexSearcher searcher) throws IOException {
        Weight weight = searcher.createWeight(searcher.rewrite(query), ScoreMode.COMPLETE, 1f);
        return context -> {
            Scorer scorer = weight.scorer(context);
            if (scorer == null) {
                return DotProductSignal.NoValues.INSTANCE;
            }
            return new LeafSignal() {
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
                        return raw > 0
                            ? Explanation.match((float) raw, "BM25 of the content query")
                            : Explanation.match(0f, "no content match");
                    }
                    Explanation detail = weight.explain(context, doc);
                    return detail.isMatch()
                        ? Explanation.match((float) raw, "BM25 of the content query, computed as the score of its clauses from:", detail)
                        : Explanation.match(0f, "no content match");
                }
            };
        };
    }

    @Override
    public String toString() {
        return "content(" + query + ")";
    }
}
