package org.recsys.recommend.blend;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs a {@link RecommendQuery}'s candidate generators on one searcher and unites their top documents. The generators are
 * independent searches: they run side by side on the searcher's executor (the caller's thread taking part; one after the
 * other when Elasticsearch gives the search no concurrency). An earlier attempt at this was reverted after a shard failed
 * with an ArrayIndexOutOfBoundsException; the cause was CandidateDocs.advance overflowing past the segment (fixed since,
 * covered by a bulk-scorer check in RecommendQueryLuceneTests).
 */
final class CandidateGeneration {

    /** A generator's top documents, and everything it scored when it was exhaustive. */
    private record Generated(CandidateGenerator generator, int[] top, CapturedScores all) {}

    /**
     * How much deeper than {@code num_candidates} an exhaustive generator proposes: it scored all its matches anyway, and
     * an item that ranks in the middle of two signals (say 800th by content and 600th by its dot product) can still make
     * the blend's top 100; proposing more costs only their scoring on the other signals.
     */
    static final int EXHAUSTIVE_DEPTH = 4;

    private CandidateGeneration() {}

    static CandidateDocs run(IndexSearcher searcher, List<CandidateGenerator> generators, int numCandidates, int signalCount)
        throws IOException {
        List<Callable<Generated>> searches = new ArrayList<>(generators.size());
        for (CandidateGenerator generator : generators) {
            searches.add(() -> generate(searcher, generator, numCandidates));
        }
        List<Integer> docs = new ArrayList<>();
        CapturedScores[] captured = new CapturedScores[signalCount];
        for (Generated generated : searcher.getTaskExecutor().invokeAll(searches)) {
            for (int doc : generated.top()) {
                docs.add(doc);
            }
            if (generated.generator().capturesScores() && generated.all() != null) {
                captured[generated.generator().scoresSignal()] = generated.all();
            }
        }
        int[] ids = docs.stream().mapToInt(Integer::intValue).toArray();
        return new CandidateDocs(ids, RewriteMemo.readerKey(searcher.getIndexReader()), captured);
    }

    private static Generated generate(IndexSearcher searcher, CandidateGenerator generator, int numCandidates) throws IOException {
        // rewritten once: a more-like-this generator analyses its text and reads term statistics when rewritten
        Query query = searcher.rewrite(generator.query());
        if (generator.exhaustive() && matchesAtMost(searcher, query, generator.captureLimit())) {
            CapturedScores all = searcher.search(query, new CapturedScores.Manager());
            return new Generated(generator, all.top(EXHAUSTIVE_DEPTH * numCandidates), all);
        }
        ScoreDoc[] hits = searcher.search(query, numCandidates).scoreDocs;
        int[] top = new int[hits.length];
        for (int i = 0; i < hits.length; i++) {
            top[i] = hits[i].doc;
        }
        return new Generated(generator, top, null);
    }

    /** Whether the rewritten query's cost estimate (an upper bound on its matches for postings) stays within the limit. */
    private static boolean matchesAtMost(IndexSearcher searcher, Query rewritten, long limit) throws IOException {
        Weight weight = searcher.createWeight(rewritten, ScoreMode.COMPLETE_NO_SCORES, 1f);
        long cost = 0;
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            ScorerSupplier supplier = weight.scorerSupplier(leaf);
            cost += supplier == null ? 0 : supplier.cost();
            if (cost > limit) {
                return false;
            }
        }
        return true;
    }
}
