package org.recsys.recommend.blend;

import org.apache.lucene.search.BulkScorer;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;
import org.elasticsearch.test.ESTestCase;
import org.recsys.recommend.math.Normalization;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The split full scan against a plain loop: on a real thread pool, with windows of every size (as Elasticsearch's
 * cancellable scorer sends them), several parts per round and deleted documents, the collector must receive exactly the
 * admissible documents, in doc id order, each with its own score; every part must only move its readers forward.
 */
public class ExactScanBulkScorerTests extends ESTestCase {

    private static final SignalWeighting LINEAR = new SignalWeighting("s", 2.0, Normalization.LINEAR, 1.0);

    public void testPartsScoreEveryAdmissibleDocumentInOrder() throws Exception {
        int maxDoc = 10_000 + random().nextInt(5_000);
        FixedBitSet admissible = new FixedBitSet(maxDoc);
        FixedBitSet live = new FixedBitSet(maxDoc);
        for (int d = 0; d < maxDoc; d++) {
            if (random().nextInt(3) != 0) {
                admissible.set(d);
            }
            if (random().nextInt(10) != 0) {
                live.set(d);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            AtomicInteger opened = new AtomicInteger();
            ExactScanBulkScorer.PartReaders readers = () -> {
                opened.incrementAndGet();
                return new ExactScanBulkScorer.Part(new IteratorBulkScorer(new ForwardOnly(admissible, maxDoc)), new LeafSignal[] {
                    new DocSignal() });
            };
            int minDocsPerPart = 200 + random().nextInt(300);
            int roundDocs = 1_000 + random().nextInt(3_000);
            ExactScanBulkScorer scorer = new ExactScanBulkScorer(
                readers,
                new SignalWeighting[] { LINEAR },
                1.5f,
                maxDoc,
                new TaskExecutor(pool),
                3,
                minDocsPerPart,
                roundDocs
            );
            List<Integer> docs = new ArrayList<>();
            List<Float> scores = new ArrayList<>();
            LeafCollector collector = new LeafCollector() {
                private Scorable scorable;

                @Override
                public void setScorer(Scorable scorer) {
                    this.scorable = scorer;
                }

                @Override
                public void collect(int doc) throws IOException {
                    docs.add(doc);
                    scores.add(scorable.score());
                }
            };
            int min = 0;
            int window = 1;
            while (min != DocIdSetIterator.NO_MORE_DOCS) {
                int max = min + window;
                int next = scorer.score(collector, live, min, max);
                assertTrue("next " + next + " after " + max, next >= Math.min(max, maxDoc));
                min = next;
                window = Math.min(window * 2 + random().nextInt(50), 8_000);
            }
            int expectedIndex = 0;
            for (int d = 0; d < maxDoc; d++) {
                if (admissible.get(d) && live.get(d)) {
                    assertEquals("doc at " + expectedIndex, d, (int) docs.get(expectedIndex));
                    assertEquals("score of " + d, (float) (LINEAR.contribution(d * 0.25) * 1.5f), scores.get(expectedIndex), 0f);
                    expectedIndex++;
                }
            }
            assertEquals(expectedIndex, docs.size());
            assertTrue("several parts ran: " + opened.get(), opened.get() > 1);
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** A filter's bulk scorer over an iterator: collects the admissible, accepted documents of [min, max). */
    private static final class IteratorBulkScorer extends BulkScorer {
        private final DocIdSetIterator iterator;

        IteratorBulkScorer(DocIdSetIterator iterator) {
            this.iterator = iterator;
        }

        @Override
        public int score(LeafCollector collector, Bits acceptDocs, int min, int max) throws IOException {
            int doc = iterator.docID() < min ? iterator.advance(min) : iterator.docID();
            for (; doc < max; doc = iterator.nextDoc()) {
                if (acceptDocs == null || acceptDocs.get(doc)) {
                    collector.collect(doc);
                }
            }
            return doc;
        }

        @Override
        public long cost() {
            return iterator.cost();
        }
    }

    /** The admissible documents; fails if asked to move backwards, as a real postings or filter iterator would misbehave. */
    private static final class ForwardOnly extends DocIdSetIterator {
        private final Bits admissible;
        private final int maxDoc;
        private int doc = -1;

        ForwardOnly(Bits admissible, int maxDoc) {
            this.admissible = admissible;
            this.maxDoc = maxDoc;
        }

        @Override
        public int docID() {
            return doc;
        }

        @Override
        public int nextDoc() {
            return advance(doc + 1);
        }

        @Override
        public int advance(int target) {
            if (target <= doc) {
                throw new AssertionError("advance(" + target + ") from " + doc);
            }
            for (int d = target; d < maxDoc; d++) {
                if (admissible.get(d)) {
                    doc = d;
                    return doc;
                }
            }
            doc = NO_MORE_DOCS;
            return doc;
        }

        @Override
        public long cost() {
            return maxDoc;
        }
    }

    /** raw = doc / 4, read forward only. */
    private static final class DocSignal implements LeafSignal {
        private int last = -1;

        @Override
        public double raw(int doc) {
            if (doc <= last) {
                throw new AssertionError("raw(" + doc + ") after " + last);
            }
            last = doc;
            return doc * 0.25;
        }

        @Override
        public Explanation explainRaw(int doc, double raw) {
            return Explanation.match((float) raw, "doc / 4");
        }
    }
}
