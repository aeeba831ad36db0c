package org.recsys.recommend.blend;

import org.apache.lucene.search.Query;

/**
 * One candidate generator of a {@link RecommendQuery}: a query (already restricted to admissible items) whose top
 * documents become candidates. When {@code scoresSignal} is a signal's index, the query's score of a document is that
 * signal's raw value, so the generator keeps the score of everything it matches and the signal is not computed again.
 */
public record CandidateGenerator(Query query, boolean exhaustive, int scoresSignal, long captureLimit) {

    public static final int NO_SIGNAL = -1;

    /**
     * Matches an exhaustive generator may keep (8 bytes each): beyond, e.g. a content query of common words over a large
     * catalogue, it runs as a top-k search with pruning and its signal scores the candidates itself.
     */
    public static final long MAX_CAPTURED = 200_000;

    /** A generator searched for its top documents only (a kNN search, which has nothing else to give). */
    public static CandidateGenerator of(Query query) {
        return new CandidateGenerator(query, false, NO_SIGNAL, 0);
    }

    /**
     * A generator over postings, scored exhaustively: a few thousand matches are cheaper to score in one pass than to
     * skip through with max-score pruning, which re-sorts its clauses window after window when there are dozens of them.
     */
    public static CandidateGenerator exhaustive(Query query) {
        return new CandidateGenerator(query, true, NO_SIGNAL, MAX_CAPTURED);
    }

    /** An exhaustive generator whose score is the raw value of the signal at {@code signalIndex}. */
    public static CandidateGenerator scoring(Query query, int signalIndex) {
        return new CandidateGenerator(query, true, signalIndex, MAX_CAPTURED);
    }

    /** The same generator keeping at most {@code limit} matches (tests use a small one to reach the pruned path). */
    public CandidateGenerator withCaptureLimit(long limit) {
        return new CandidateGenerator(query, exhaustive, scoresSignal, limit);
    }

    boolean capturesScores() {
        return scoresSignal != NO_SIGNAL;
    }
}
