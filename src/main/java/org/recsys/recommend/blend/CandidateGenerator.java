package org.recsys.recommend.blend;

import org.apache.lucene.search.Query;

/**
 * One candidate generator of a {@link RecommendQuery}: a query (already restricted to admissible items) whose top
 * documents become candidates. When {@code scoresSignal} is a signal's index, the query's score of a document is that
 * signal's raw value, so the generator keeps the score of everything it matches and the signal is not computed again.
 */
public record CandidateGenerator(Query query, int scoresSignal) {

    public static final int NO_SIGNAL = -1;

    public static CandidateGenerator of(Query query) {
        return new CandidateGenerator(query, NO_SIGNAL);
    }

    /** A generator whose score is the raw value of the signal at {@code signalIndex}. */
    public static CandidateGenerator scoring(Query query, int signalIndex) {
        return new CandidateGenerator(query, signalIndex);
    }

    boolean capturesScores() {
        return scoresSignal != NO_SIGNAL;
    }
}
