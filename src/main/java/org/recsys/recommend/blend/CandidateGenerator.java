package org.recsys.recommend.blend;

import org.apache.lucene.search.Query;

/**
 * One candidate generator of a {@link RecommendQuery}: a query (already restricted to admissible items) whose top
 * documents become candidates. When {@code scoresSignal} is a signal's index, the query's score of a document is that
 * signal's raw value, so the generator keeps the score of everything it matches and the signal is not computed again.
 */
public record CandidateGenerator(Query query, boolean exhaustive, int scoresSignal) {

    public static final int NO_SIGNAL = -1;

    /** A generator searched for its top documents only (a kNN search, which has nothing else to give). */
    public static CandidateGenerator of(Query query) {
        return new CandidateGenerator(query, false, NO_SIGNAL);
    }

    /**
     * A generator over postings, scored exhaustively: a few thousand matches are cheaper to score in one pass than to
     * skip through with max-score pruning, which re-sorts its clauses window after window when there are dozens of them.
     */
    public static CandidateGenerator exhaustive(Query query) {
        return new CandidateGenerator(query, true, NO_SIGNAL);
    }

    /** An exhaustive generator whose score is the raw value of the signal at {@code signalIndex}. */
    public static CandidateGenerator scoring(Query query, int signalIndex) {
        return new CandidateGenerator(query, true, signalIndex);
    }

    boolean capturesScores() {
        return scoresSignal != NO_SIGNAL;
    }
}
