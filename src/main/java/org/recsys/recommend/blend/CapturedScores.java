package org.recsys.recommend.blend;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.Collector;
import org.apache.lucene.search.CollectorManager;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.NumericUtils;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;

/**
 * Every document a generator matched with its score (global doc ids, sorted), collected exhaustively: the generator's top
 * documents come from it, and so do the raw values of the signal the generator scores, for any candidate.
 */
final class CapturedScores {

    private final int[] docs;
    private final float[] scores;

    long bytes() {
        return 32 + 4L * docs.length + 4L * scores.length;
    }

    private CapturedScores(int[] docs, float[] scores) {
        this.docs = docs;
        this.scores = scores;
    }

    /** The best {@code n} documents by score (lower doc id first among equal scores), in no particular order. */
    int[] top(int n) {
        if (docs.length <= n) {
            return docs.clone();
        }
        // score (sortable bits) in the high half, the inverted doc id in the low half: one primitive sort ranks both.
        long[] keys = new long[docs.length];
        for (int i = 0; i < docs.length; i++) {
            keys[i] = ((long) NumericUtils.floatToSortableInt(scores[i]) << 32) | (Integer.MAX_VALUE - docs[i]);
        }
        Arrays.sort(keys);
        int[] best = new int[n];
        for (int i = 0; i < n; i++) {
            best[i] = Integer.MAX_VALUE - (int) keys[keys.length - 1 - i];
        }
        return best;
    }

    /** Scores of the given segment documents (sorted segment doc ids); 0 for those not matched. */
    double[] scoresOf(LeafReaderContext context, int[] segmentDocs) {
        double[] raw = new double[segmentDocs.length];
        int at = lowerBound(context.docBase);
        for (int d = 0; d < segmentDocs.length && at < docs.length; d++) {
            int global = context.docBase + segmentDocs[d];
            while (at < docs.length && docs[at] < global) {
                at++;
            }
            if (at < docs.length && docs[at] == global) {
                raw[d] = scores[at];
            }
        }
        return raw;
    }

    private int lowerBound(int globalDoc) {
        int i = Arrays.binarySearch(docs, globalDoc);
        return i >= 0 ? i : -i - 1;
    }

    /** Collects every match of each slice; the reduce merges the slices in doc id order. */
    static final class Manager implements CollectorManager<Manager.All, CapturedScores> {

        @Override
        public All newCollector() {
            return new All();
        }

        @Override
        public CapturedScores reduce(Collection<All> collectors) {
            int total = collectors.stream().mapToInt(c -> c.size).sum();
            long[] byDoc = new long[total];
            int n = 0;
            for (All c : collectors) {
                for (int i = 0; i < c.size; i++) {
                    byDoc[n++] = ((long) c.docs[i] << 32) | (Float.floatToRawIntBits(c.scores[i]) & 0xFFFFFFFFL);
                }
            }
            Arrays.sort(byDoc); // slices may arrive in any order; doc ids are non-negative, so this sorts by doc
            int[] docs = new int[total];
            float[] scores = new float[total];
            for (int i = 0; i < total; i++) {
                docs[i] = (int) (byDoc[i] >>> 32);
                scores[i] = Float.intBitsToFloat((int) byDoc[i]);
            }
            return new CapturedScores(docs, scores);
        }

        static final class All implements Collector {
            private int[] docs = new int[256];
            private float[] scores = new float[256];
            private int size;

            @Override
            public LeafCollector getLeafCollector(LeafReaderContext context) {
                int docBase = context.docBase;
                return new LeafCollector() {
                    private Scorable scorer;

                    @Override
                    public void setScorer(Scorable scorer) {
                        this.scorer = scorer;
                    }

                    @Override
                    public void collect(int doc) throws IOException {
                        if (size == docs.length) {
                            docs = ArrayUtil.grow(docs, size + 1);
                            scores = ArrayUtil.growExact(scores, docs.length);
                        }
                        docs[size] = docBase + doc;
                        scores[size] = scorer.score();
                        size++;
                    }
                };
            }

            @Override
            public ScoreMode scoreMode() {
                return ScoreMode.COMPLETE;
            }
        }
    }
}
