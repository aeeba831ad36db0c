package org.recsys.recommend.blend;

import org.apache.lucene.search.BulkScorer;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.util.Bits;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@code exact} full scan of one segment, split across the searcher's executor: each window of documents is cut into
 * contiguous ranges, one per part; the parts score their ranges at the same time into small buffers, then the matches
 * are handed to the collector in doc id order. Each part keeps its own forward-only readers (filter, signals) for the
 * whole segment, and its ranges only move forward, as readers require. With a sequential executor (Elasticsearch without
 * search concurrency) the parts simply run one after the other.
 */
final class ExactScanBulkScorer extends BulkScorer {

    /** Fresh readers over the segment for one part. */
    interface PartReaders {
        Part open() throws IOException;
    }

    /**
     * One part's readers: the admissible documents, as a bulk scorer (a filter's bulk scorer hands out whole ranges, e.g.
     * everything between two excluded ids, instead of one document per call), and every signal.
     */
    record Part(BulkScorer matches, LeafSignal[] signals) {}

    /** Below this many documents per part, splitting costs more than it saves. */
    static final int MIN_DOCS_PER_PART = 16_384;
    /** Documents scored per round, so the buffers stay small (8 bytes per match) whatever the segment size. */
    static final int ROUND_DOCS = 1 << 17;

    private final PartReaders readers;
    private final SignalWeighting[] weightings;
    private final float boost;
    private final int maxDoc;
    private final TaskExecutor executor;
    private final int maxParts;
    private final int minDocsPerPart;
    private final int roundDocs;
    private final List<Part> parts = new ArrayList<>();
    private final List<Buffer> buffers = new ArrayList<>();
    private int roundEnd = -1; // the buffered round covers documents below this
    private Bits roundAcceptDocs;
    private int cursorPart; // the part whose buffer is being emitted
    private LeafCollector lastCollector;
    private CurrentScore current;

    ExactScanBulkScorer(PartReaders readers, SignalWeighting[] weightings, float boost, int maxDoc, TaskExecutor executor, int maxParts) {
        this(readers, weightings, boost, maxDoc, executor, maxParts, MIN_DOCS_PER_PART, ROUND_DOCS);
    }

    ExactScanBulkScorer(
        PartReaders readers,
        SignalWeighting[] weightings,
        float boost,
        int maxDoc,
        TaskExecutor executor,
        int maxParts,
        int minDocsPerPart,
        int roundDocs
    ) {
        this.readers = readers;
        this.weightings = weightings;
        this.boost = boost;
        this.maxDoc = maxDoc;
        this.executor = executor;
        this.maxParts = Math.max(1, maxParts);
        this.minDocsPerPart = minDocsPerPart;
        this.roundDocs = roundDocs;
    }

    @Override
    public int score(LeafCollector collector, Bits acceptDocs, int min, int max) throws IOException {
        int end = Math.min(max, maxDoc);
        if (collector != lastCollector) {
            current = new CurrentScore();
            collector.setScorer(current);
            lastCollector = collector;
        }
        int from = min;
        while (from < end) {
            // a bulk scorer is driven with the same acceptDocs from window to window (the parts' readers only move forward)
            assert from >= roundEnd || acceptDocs == roundAcceptDocs : "acceptDocs changed within a round";
            if (from >= roundEnd) {
                // Elasticsearch hands out windows of a few thousand documents (to check for cancellation between them):
                // too few to split. A round scores further ahead, in parts, and the next windows are served from it.
                scoreRound(acceptDocs, from, Math.min(maxDoc, from + roundDocs));
            }
            int upTo = Math.min(end, roundEnd);
            emit(collector, current, from, upTo);
            from = upTo;
        }
        return end >= maxDoc ? DocIdSetIterator.NO_MORE_DOCS : end;
    }

    private void scoreRound(Bits acceptDocs, int from, int to) throws IOException {
        int partCount = (int) Math.max(1, Math.min(maxParts, (to - from) / minDocsPerPart));
        while (parts.size() < partCount) {
            parts.add(readers.open());
            buffers.add(new Buffer());
        }
        buffers.forEach(Buffer::clear);
        int span = (to - from + partCount - 1) / partCount;
        if (partCount == 1) {
            fill(parts.get(0), buffers.get(0), acceptDocs, from, to);
        } else {
            List<Callable<Void>> tasks = new ArrayList<>(partCount);
            for (int p = 0; p < partCount; p++) {
                int lo = from + p * span;
                int hi = Math.min(to, lo + span);
                Part part = parts.get(p);
                Buffer buffer = buffers.get(p);
                tasks.add(() -> {
                    fill(part, buffer, acceptDocs, lo, hi);
                    return null;
                });
            }
            executor.invokeAll(tasks);
        }
        roundEnd = to;
        roundAcceptDocs = acceptDocs; // for the assertion above
        cursorPart = 0;
    }

    /** Hands the round's matches below {@code upTo} to the collector, in doc id order (parts hold increasing ranges). */
    private void emit(LeafCollector collector, CurrentScore current, int from, int upTo) throws IOException {
        for (; cursorPart < buffers.size(); cursorPart++) {
            Buffer buffer = buffers.get(cursorPart);
            for (; buffer.next < buffer.size; buffer.next++) {
                int doc = buffer.docs[buffer.next];
                if (doc >= upTo) {
                    return;
                }
                float score = buffer.scores[buffer.next];
                // Once the collector has all the hits it counts, a document below its minimum competitive score can
                // change nothing: skipping it saves the call (the collector asked for that by setting the minimum).
                if (doc >= from && score >= current.minCompetitive) {
                    current.score = score;
                    collector.collect(doc);
                }
            }
        }
    }

    /**
     * Scores the admissible documents of [lo, hi) with one part's readers: first their doc ids, then signal by signal
     * over all of them (a tight loop per signal), summed in signal order as {@link BlendScorer} sums.
     */
    private void fill(Part part, Buffer buffer, Bits acceptDocs, int lo, int hi) throws IOException {
        part.matches().score(buffer, acceptDocs, lo, hi);
        LeafSignal[] signals = part.signals();
        double[] sums = buffer.sums(buffer.size);
        double[] raw = buffer.raw(buffer.size);
        Arrays.fill(sums, 0, buffer.size, 0d);
        for (int i = 0; i < signals.length; i++) {
            signals[i].raw(buffer.docs, buffer.size, raw);
            SignalWeighting weighting = weightings[i];
            for (int d = 0; d < buffer.size; d++) {
                sums[d] += weighting.contribution(raw[d]);
            }
        }
        float[] scores = buffer.scores(buffer.size);
        for (int d = 0; d < buffer.size; d++) {
            scores[d] = (float) (sums[d] * boost);
        }
    }

    @Override
    public long cost() {
        return maxDoc;
    }

    /** One part's matches of a round: doc ids (collected from the filter), then their scores and the work arrays. */
    private static final class Buffer implements LeafCollector {
        int[] docs = new int[1024];
        float[] scores = new float[0];
        private double[] sums = new double[0];
        private double[] raw = new double[0];
        int size;
        int next; // the next match to emit

        void clear() {
            size = 0;
            next = 0;
        }

        @Override
        public void setScorer(Scorable scorer) {}

        @Override
        public void collect(int doc) {
            if (size == docs.length) {
                docs = Arrays.copyOf(docs, size * 2);
            }
            docs[size++] = doc;
        }

        float[] scores(int n) {
            if (scores.length < n) {
                scores = new float[docs.length];
            }
            return scores;
        }

        double[] sums(int n) {
            if (sums.length < n) {
                sums = new double[docs.length];
            }
            return sums;
        }

        double[] raw(int n) {
            if (raw.length < n) {
                raw = new double[docs.length];
            }
            return raw;
        }
    }

    private static final class CurrentScore extends Scorable {
        float score;
        float minCompetitive = Float.NEGATIVE_INFINITY;

        @Override
        public float score() {
            return score;
        }

        @Override
        public void setMinCompetitiveScore(float minScore) {
            minCompetitive = minScore;
        }
    }
}
