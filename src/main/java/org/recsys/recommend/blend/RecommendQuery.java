package org.recsys.recommend.blend;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BulkScorer;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.search.Weight;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Lucene side of the {@code recommend} query. Rewrite runs each candidate generator (kNN, neighbor postings, content
 * BM25; each already restricted by the filter and exclusions) for its top {@code numCandidates} and keeps the union; the
 * weight then scores every candidate on every signal exactly: score = Σ weight × normalize(raw). In {@code exact} mode
 * every document passing the filter is a candidate.
 */
public final class RecommendQuery extends Query {

    /** Parts an exact scan of one segment is split into: one per processor the search executor may use. */
    private static final int SCAN_PARTS = Runtime.getRuntime().availableProcessors();

    private final List<CandidateGenerator> generators;
    private final int numCandidates;
    private final Query filter; // null: every live document
    private final boolean exact;
    private final List<BlendSignal> signals;
    private final CandidateDocs candidates; // set by rewrite unless exact
    private final long handoffToken; // not 0: one request's token, its candidates handed to its fetch phase (RewriteMemo)
    // Not state: a memo of the per-searcher preparation (the content query's weight, term statistics). The fetch phase
    // explains each returned hit with this same rewritten instance, and preparing once instead of per hit is most of the
    // cost of explaining a page. Ignored by equals/hashCode.
    private volatile PreparedSignals prepared;

    // Not state either: the signal readers of the last explained hit's segment. The fetch phase explains its hits one by
    // one, each through a new weight, in increasing doc id order: the next hit of the segment reads on from the previous
    // one instead of opening every signal's readers again (term seeks for each history item). Guarded by this.
    private ExplainCursor explainCursor;

    private record PreparedSignals(IndexSearcher searcher, Weight filterWeight, List<BlendSignal.Prepared> signals) {}

    private static final class ExplainCursor {
        final List<BlendSignal.Prepared> prepared;
        final LeafReaderContext context;
        final LeafSignal[] leaf;
        int lastDoc = -1;

        ExplainCursor(List<BlendSignal.Prepared> prepared, LeafReaderContext context, LeafSignal[] leaf) {
            this.prepared = prepared;
            this.context = context;
            this.leaf = leaf;
        }
    }

    /**
     * The most candidates one shard's generators can propose: kNN and the partition probe {@code num_candidates} each (the
     * shard keeps each one's top {@code num_candidates}), the two exhaustive generators
     * {@link CandidateGeneration#EXHAUSTIVE_DEPTH} times that each.
     */
    public static int maxCandidatesPerShard(int numCandidates) {
        long most = (long) numCandidates * (2 + 2 * CandidateGeneration.EXHAUSTIVE_DEPTH);
        return (int) Math.min(Integer.MAX_VALUE, most);
    }

    /** How many candidates the rewrite generated (for tests); -1 before it. */
    int candidateCount() {
        return candidates == null ? -1 : candidates.size();
    }

    public RecommendQuery(List<Query> generators, int numCandidates, Query filter, boolean exact, List<BlendSignal> signals) {
        this(generators.stream().map(CandidateGenerator::of).toList(), numCandidates, filter, exact, signals, null, 0);
    }

    /** {@code handoffToken}: a request's token for handing its candidates to its fetch phase ({@link RewriteMemo}), or 0. */
    public static RecommendQuery of(
        List<CandidateGenerator> generators,
        int numCandidates,
        Query filter,
        boolean exact,
        List<BlendSignal> signals,
        long handoffToken
    ) {
        return new RecommendQuery(generators, numCandidates, filter, exact, signals, null, handoffToken);
    }

    private RecommendQuery(
        List<CandidateGenerator> generators,
        int numCandidates,
        Query filter,
        boolean exact,
        List<BlendSignal> signals,
        CandidateDocs candidates,
        long handoffToken
    ) {
        this.generators = List.copyOf(generators);
        this.numCandidates = numCandidates;
        this.filter = filter;
        this.exact = exact;
        this.signals = List.copyOf(signals);
        this.candidates = candidates;
        this.handoffToken = handoffToken;
    }

    long handoffToken() {
        return handoffToken;
    }

    long candidateBytes() {
        return candidates == null ? 64 : candidates.bytes();
    }

    public List<BlendSignal> signals() {
        return signals;
    }

    public boolean exact() {
        return exact;
    }

    @Override
    public Query rewrite(IndexSearcher searcher) throws IOException {
        if (exact || candidates != null) {
            return this;
        }
        RecommendQuery memo = RewriteMemo.take(searcher, this);
        if (memo != null) {
            return memo; // the fetch phase of the request whose query phase generated these candidates
        }
        CandidateDocs union = CandidateGeneration.run(searcher, generators, numCandidates, signals.size());
        RecommendQuery rewritten = new RecommendQuery(generators, numCandidates, filter, false, signals, union, handoffToken);
        RewriteMemo.put(searcher, this, rewritten);
        return rewritten;
    }

    @Override
    public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) throws IOException {
        if (exact == false && candidates == null) {
            throw new IllegalStateException("recommend query must be rewritten before it is executed");
        }
        if (candidates != null && candidates.readerIdentity() != RewriteMemo.readerKey(searcher.getIndexReader())) {
            // The candidates are doc ids of the reader the query was rewritten on; on any other reader they name other
            // documents. Lucene's rewritten kNN query refuses the same way.
            throw new IllegalStateException("recommend query was rewritten against a different reader");
        }
        PreparedSignals memo = prepared;
        if (memo == null || memo.searcher() != searcher) {
            Weight filterWeight = exact
                ? searcher.createWeight(searcher.rewrite(filter == null ? new MatchAllDocsQuery() : filter),
                        ScoreMode.COMPLETE_NO_SCORES, 1f)
                : null;
            List<BlendSignal.Prepared> ready = new ArrayList<>(signals.size());
            for (BlendSignal signal : signals) {
                ready.add(signal.prepare(searcher));
            }
            memo = new PreparedSignals(searcher, filterWeight, List.copyOf(ready));
            prepared = memo;
        }
        return new BlendWeight(this, memo.filterWeight(), memo.signals(), boost, searcher.getTaskExecutor());
    }

    /** Scores the candidates of each segment; not cacheable, as the candidates belong to one reader and one user. */
    private final class BlendWeight extends Weight {
        private final Weight filterWeight;
        private final List<BlendSignal.Prepared> prepared;
        private final float boost;
        private final TaskExecutor executor;

        BlendWeight(Query query, Weight filterWeight, List<BlendSignal.Prepared> prepared, float boost, TaskExecutor executor) {
            super(query);
            this.filterWeight = filterWeight;
            this.prepared = prepared;
            this.boost = boost;
            this.executor = executor;
        }

        private DocIdSetIterator candidatesOf(LeafReaderContext context) throws IOException {
            if (filterWeight == null) {
                return candidates.iterator(context);
            }
            Scorer filterScorer = filterWeight.scorer(context);
            return filterScorer == null ? null : filterScorer.iterator();
        }

        private LeafSignal[] leafSignals(LeafReaderContext context) throws IOException {
            LeafSignal[] leaf = new LeafSignal[prepared.size()];
            for (int i = 0; i < leaf.length; i++) {
                leaf[i] = prepared.get(i).forLeaf(context);
            }
            return leaf;
        }

        @Override
        public ScorerSupplier scorerSupplier(LeafReaderContext context) throws IOException {
            if (filterWeight == null) {
                return candidatesScorerSupplier(context);
            }
            DocIdSetIterator iterator = candidatesOf(context);
            if (iterator == null) {
                return null;
            }
            LeafSignal[] leaf = leafSignals(context);
            return new ScorerSupplier() {
                @Override
                public Scorer get(long leadCost) {
                    return new BlendScorer(iterator, leaf, weightings(), boost);
                }

                @Override
                public BulkScorer bulkScorer() {
                    // The full scan, when the query is what the searcher scores (not a clause of another query): split
                    // across the search executor, each part with its own readers.
                    ExactScanBulkScorer.PartReaders readers = () -> new ExactScanBulkScorer.Part(
                        filterWeight.bulkScorer(context),
                        leafSignals(context)
                    );
                    return new ExactScanBulkScorer(readers, weightings(), boost, context.reader().maxDoc(), executor, SCAN_PARTS);
                }

                @Override
                public long cost() {
                    return iterator.cost();
                }
            };
        }

        /**
         * The candidates of a segment are known before scoring starts, so each signal reads its values for all of them in
         * one pass (one walk per posting list, one run of vector reads) and the scorer only hands the sums out. Summed in
         * signal order, as {@link BlendScorer} does, so both give the same scores.
         */
        private ScorerSupplier candidatesScorerSupplier(LeafReaderContext context) {
            int[] docs = candidates.docsIn(context);
            if (docs.length == 0) {
                return null;
            }
            return new ScorerSupplier() {
                @Override
                public Scorer get(long leadCost) throws IOException {
                    double[] total = new double[docs.length];
                    for (int i = 0; i < prepared.size(); i++) {
                        SignalWeighting weighting = signals.get(i).weighting();
                        CapturedScores captured = candidates.captured(i);
                        double[] raw;
                        if (captured != null) {
                            raw = captured.scoresOf(context, docs);
                        } else {
                            raw = new double[docs.length];
                            prepared.get(i).forLeaf(context).raw(docs, docs.length, raw);
                        }
                        for (int d = 0; d < docs.length; d++) {
                            total[d] += weighting.contribution(raw[d]);
                        }
                    }
                    return new ScoredDocsScorer(docs, total, boost);
                }

                @Override
                public long cost() {
                    return docs.length;
                }
            };
        }

        @Override
        public Explanation explain(LeafReaderContext context, int doc) throws IOException {
            DocIdSetIterator iterator = candidatesOf(context);
            if (iterator == null || iterator.advance(doc) != doc) {
                return Explanation.noMatch(
                    exact
                        ? "not a match: excluded, or filtered out"
                        : "not a recommendation candidate: no generator (kNN, neighbors, content) ranked it in its top " + numCandidates
                            + " among items passing the filter and exclusions"
                );
            }
            List<Explanation> details = new ArrayList<>();
            double sum = 0;
            synchronized (RecommendQuery.this) {
                ExplainCursor cursor = explainCursor;
                if (cursor == null || cursor.prepared != prepared || cursor.context != context || doc <= cursor.lastDoc) {
                    cursor = new ExplainCursor(prepared, context, leafSignals(context));
                    explainCursor = cursor;
                }
                cursor.lastDoc = doc;
                LeafSignal[] leaf = cursor.leaf;
                for (int i = 0; i < leaf.length; i++) {
                    SignalWeighting weighting = signals.get(i).weighting();
                    double raw = leaf[i].raw(doc);
                    sum += weighting.contribution(raw);
                    details.add(weighting.explain(raw, leaf[i].explainRaw(doc, raw)));
                }
            }
            // Lucene's conventions ("sum of:", "product of:"), so that generic explanation checkers can verify the values.
            Explanation blend = Explanation.match((float) sum, "recommend: weight × normalized signal, sum of:", details);
            if (boost == 1f) {
                return blend;
            }
            return Explanation.match((float) (sum * boost), "recommend, boosted, product of:", blend, Explanation.match(boost, "boost"));
        }

        @Override
        public boolean isCacheable(LeafReaderContext context) {
            return false;
        }
    }

    private SignalWeighting[] weightings() {
        return signals.stream().map(BlendSignal::weighting).toArray(SignalWeighting[]::new);
    }

    @Override
    public void visit(QueryVisitor visitor) {
        // Visit what this query runs, so clause limits and field extraction see the generators and the filter.
        QueryVisitor sub = visitor.getSubVisitor(BooleanClause.Occur.SHOULD, this);
        generators.forEach(g -> g.query().visit(sub));
        if (filter != null) {
            filter.visit(visitor.getSubVisitor(BooleanClause.Occur.FILTER, this));
        }
    }

    @Override
    public String toString(String field) {
        return "recommend(signals=" + signals + ", exact=" + exact + ", num_candidates=" + numCandidates
            + (candidates == null ? "" : ", candidates=" + candidates.size()) + ", filter=" + filter + ")";
    }

    @Override
    public boolean equals(Object o) {
        return sameClassAs(o)
            && o instanceof RecommendQuery other
            && generators.equals(other.generators)
            && numCandidates == other.numCandidates
            && Objects.equals(filter, other.filter)
            && exact == other.exact
            && signals.equals(other.signals)
            && Objects.equals(candidates, other.candidates)
            && handoffToken == other.handoffToken;
    }

    @Override
    public int hashCode() {
        return Objects.hash(classHash(), generators, numCandidates, filter, exact, signals, candidates, handoffToken);
    }

    /** Combines a generator with the filter (and exclusions) so it proposes only admissible items. */
    public static Query restrict(Query generator, Query filter) {
        if (filter == null) {
            return generator;
        }
        return new BooleanQuery.Builder().add(generator, BooleanClause.Occur.MUST).add(filter, BooleanClause.Occur.FILTER).build();
    }
}
