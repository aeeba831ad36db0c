package org.recsys.recommend.blend;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.FeatureField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterDirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.search.QueryUtils;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.elasticsearch.test.ESTestCase;
import org.recsys.recommend.math.FeatureValues;
import org.recsys.recommend.math.Normalization;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The Lucene query against a brute-force oracle on random data: every score equals Σ weight × normalize(raw) with the
 * raw values recomputed from the generated vectors and similarities, across several segments and deleted documents.
 */
public class RecommendQueryLuceneTests extends ESTestCase {

    private static final int DIMS = 8;
    private static final int ITEMS = 600;
    private static final SignalWeighting DOT = new SignalWeighting("collaborative", 1.0, Normalization.LINEAR, 1.0);
    private static final SignalWeighting NEIGHBORS = new SignalWeighting("neighbors", 0.5, Normalization.SATURATION, 1.0);
    private static final SignalWeighting CONTENT = new SignalWeighting("content", 0.3, Normalization.SATURATION, 2.0);

    private final Random random = new Random(42);
    private final float[][] vectors = new float[ITEMS][DIMS];
    private final List<Map<String, Float>> neighbors = new ArrayList<>();

    public void testExactModeScoresEveryLiveDocumentLikeTheOracle() throws IOException {
        try (Directory dir = newDirectory()) {
            index(dir);
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                float[] user = randomVector();
                Map<String, Float> history = Map.of("i3", 1f, "i17", 2f, "i200", 0.5f);
                RecommendQuery query = query(user, history, true, 50);
                TopDocs top = searcher.search(query, ITEMS);
                assertEquals("every live document is scored once", liveItems(), top.scoreDocs.length);
                for (ScoreDoc hit : top.scoreDocs) {
                    int item = itemOf(searcher, hit.doc);
                    assertEquals("item " + item, expected(item, user, history), hit.score, 1e-5);
                }
            }
        }
    }

    public void testCandidatesAreScoredExactlyAndTheTopIsFound() throws IOException {
        try (Directory dir = newDirectory()) {
            index(dir);
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                float[] user = randomVector();
                Map<String, Float> history = Map.of("i5", 1f, "i77", 1f);
                TopDocs top = searcher.search(query(user, history, false, 100), 20);
                List<Integer> oracleTop = IntStream.range(0, ITEMS)
                    .filter(i -> i % 10 != 9)
                    .boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -expected(i, user, history)))
                    .limit(20)
                    .toList();
                int found = 0;
                for (ScoreDoc hit : top.scoreDocs) {
                    int item = itemOf(searcher, hit.doc);
                    assertEquals("item " + item, expected(item, user, history), hit.score, 1e-5);
                    found += oracleTop.contains(item) ? 1 : 0;
                }
                // HNSW is approximate, but on 540 live items with 100 candidates it finds the true top 20.
                assertEquals(20, found);
            }
        }
    }

    public void testAnExhaustiveGeneratorProposesFourTimesNumCandidates() throws IOException {
        try (Directory dir = newDirectory()) {
            index(dir);
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                Map<String, Float> history = new HashMap<>();
                for (int i = 0; i < 10; i++) {
                    history.put("i" + (i * 37), 1f);
                }
                long matches = IntStream.range(0, ITEMS)
                    .filter(i -> i % 10 != 9 && neighbors.get(i).keySet().stream().anyMatch(history::containsKey))
                    .count();
                assertTrue("enough matches to tell the depths apart: " + matches, matches > 4 * 5);
                List<String> items = new ArrayList<>(history.keySet());
                float[] weights = new float[items.size()];
                Arrays.fill(weights, 1f);
                RecommendQuery query = RecommendQuery.of(
                    List.of(CandidateGenerator.exhaustive(neighborPostings(history))),
                    5,
                    null,
                    false,
                    List.of(new NeighborSignal("neighbors", items, weights, NEIGHBORS)),
                    0
                );
                RecommendQuery rewritten = (RecommendQuery) searcher.rewrite(query);
                assertEquals(4 * 5, rewritten.candidateCount());
            }
        }
    }

    public void testExplainBreaksTheScoreIntoSignalsAndNamesHistoryItems() throws IOException {
        try (Directory dir = newDirectory()) {
            index(dir);
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                float[] user = randomVector();
                Map<String, Float> history = Map.of("i4", 1f);
                RecommendQuery query = query(user, history, true, 10);
                ScoreDoc best = searcher.search(query, 1).scoreDocs[0];
                Explanation explanation = searcher.explain(query, best.doc);
                assertTrue(explanation.isMatch());
                assertEquals(best.score, explanation.getValue().floatValue(), 1e-6);
                assertEquals(2, explanation.getDetails().length);
                double sum = 0;
                for (Explanation signal : explanation.getDetails()) {
                    sum += signal.getValue().doubleValue();
                }
                assertEquals(best.score, sum, 1e-5);
                Explanation neighborSum = explanation.getDetails()[1].getDetails()[0];
                if (neighborSum.getValue().floatValue() > 0) {
                    String because = neighborSum.getDetails()[0].getDescription();
                    assertTrue(because, because.contains("[i4]"));
                }
                int deleted = docOf(searcher, 9);
                assertEquals(-1, deleted);
            }
        }
    }

    /**
     * Inside a conjunction (a page restricted by ids, as a bool filter does) the candidates must honour the iterator
     * contract, including advance(NO_MORE_DOCS) in segments with a non-zero doc base: the matches are exactly the
     * candidates among the ids, each with its own score. QueryUtils also checks advance/nextDoc consistency.
     */
    public void testInsideAConjunctionWithAnIdFilterMatchesExactlyTheCandidatesAmongTheIds() throws IOException {
        try (Directory dir = newDirectory()) {
            index(dir);
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                float[] user = randomVector();
                Map<String, Float> history = Map.of("i5", 1f, "i77", 1f);
                Query recommend = searcher.rewrite(query(user, history, false, 60));
                Map<Integer, Float> candidates = new HashMap<>();
                for (ScoreDoc hit : searcher.search(recommend, ITEMS).scoreDocs) {
                    candidates.put(itemOf(searcher, hit.doc), hit.score);
                }
                for (int round = 0; round < 20; round++) {
                    List<BytesRef> ids = new ArrayList<>();
                    List<Integer> picked = new ArrayList<>();
                    for (int k = 0; k < 1 + random.nextInt(12); k++) {
                        int item = random.nextInt(ITEMS);
                        picked.add(item);
                        ids.add(new BytesRef(Integer.toString(item)));
                    }
                    Query page = new BooleanQuery.Builder().add(recommend, BooleanClause.Occur.MUST)
                        .add(new TermInSetQuery("id", ids), BooleanClause.Occur.FILTER)
                        .build();
                    Map<Integer, Float> found = new HashMap<>();
                    for (ScoreDoc hit : searcher.search(page, ITEMS).scoreDocs) {
                        found.put(itemOf(searcher, hit.doc), hit.score);
                    }
                    Map<Integer, Float> expected = new HashMap<>();
                    picked.stream().filter(candidates::containsKey).forEach(i -> expected.put(i, candidates.get(i)));
                    assertEquals(expected, found);
                    // The checks that run on this very searcher: the rewritten candidates belong to its reader (as for
                    // Lucene's rewritten kNN query), so the per-leaf and reader-wrapping checks of QueryUtils.check do not
                    // apply. The bulk-scorer check is the one that caught advance(NO_MORE_DOCS) moving backwards.
                    QueryUtils.checkBulkScorerSkipTo(random(), page, searcher);
                    QueryUtils.checkExplanations(page, searcher);
                }
            }
        }
    }

    /**
     * The content generator keeps the score of everything it matches and the content signal reads those instead of
     * scoring again: every candidate's score must still be the oracle's collaborative and neighbor parts plus the weighted
     * score the content query gives that document on its own, the generator's top documents must all be candidates, and
     * the explanation (which scores the content query per document) must agree with the score.
     */
    public void testContentGeneratorScoresAreTheContentQuerysOwn() throws IOException {
        checkContentGeneratorScores(CandidateGenerator.MAX_CAPTURED);
    }

    /** A content query matching more than an exhaustive generator may keep: pruned top-k, the signal scores itself. */
    public void testABroadContentGeneratorFallsBackToATopKSearchWithTheSameScores() throws IOException {
        checkContentGeneratorScores(5);
    }

    private void checkContentGeneratorScores(long captureLimit) throws IOException {
        try (Directory dir = newDirectory()) {
            index(dir);
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                float[] user = randomVector();
                Map<String, Float> history = Map.of("i8", 1f, "i31", 1f);
                Query content = new BooleanQuery.Builder().add(new TermQuery(new Term("title", "w1")), BooleanClause.Occur.SHOULD)
                    .add(new TermQuery(new Term("title", "w4")), BooleanClause.Occur.SHOULD)
                    .add(new TermQuery(new Term("title", "w7")), BooleanClause.Occur.SHOULD)
                    .build();
                Map<Integer, Float> contentScores = new HashMap<>();
                for (ScoreDoc hit : searcher.search(content, ITEMS).scoreDocs) {
                    contentScores.put(hit.doc, hit.score);
                }
                int numCandidates = 25;
                RecommendQuery base = query(user, history, false, numCandidates);
                List<CandidateGenerator> generators = List.of(
                    CandidateGenerator.of(new KnnFloatVectorQuery("factors", user, numCandidates)),
                    CandidateGenerator.of(neighborPostings(history)),
                    CandidateGenerator.scoring(content, 2).withCaptureLimit(captureLimit)
                );
                List<BlendSignal> signals = new ArrayList<>(base.signals());
                signals.add(new ContentSignal(content, CONTENT, true));
                RecommendQuery query = RecommendQuery.of(generators, numCandidates, null, false, signals, 0);

                Map<Integer, Float> scored = new HashMap<>();
                for (ScoreDoc hit : searcher.search(query, ITEMS).scoreDocs) {
                    scored.put(hit.doc, hit.score);
                    double contentRaw = contentScores.getOrDefault(hit.doc, 0f);
                    double expected = expected(itemOf(searcher, hit.doc), user, history) + CONTENT.contribution(contentRaw);
                    assertEquals("doc " + hit.doc, expected, hit.score, 1e-5);
                }
                for (ScoreDoc best : searcher.search(content, numCandidates).scoreDocs) {
                    assertTrue("content top doc " + best.doc + " is a candidate", scored.containsKey(best.doc));
                }
                QueryUtils.checkExplanations(query, searcher);
            }
        }
    }

    public void testRewrittenCandidatesRefuseAnotherReader() throws IOException {
        try (Directory dir = newDirectory()) {
            index(dir);
            try (DirectoryReader reader = DirectoryReader.open(dir); DirectoryReader other = DirectoryReader.open(dir)) {
                Query rewritten = new IndexSearcher(reader).rewrite(query(randomVector(), Map.of("i5", 1f), false, 20));
                IllegalStateException e = expectThrows(IllegalStateException.class, () -> new IndexSearcher(other).search(rewritten, 5));
                assertTrue(e.getMessage(), e.getMessage().contains("different reader"));
            }
        }
    }

    /**
     * The fetch phase rewrites the query again (to explain hits) on its own wrapper of the same reader: it must get the
     * query phase's candidates back instead of running the generators again, and they must score on the wrapper; a
     * wrapper that hides documents (as document-level security does) must not.
     */
    public void testTheFetchPhaseGetsTheQueryPhasesCandidatesBack() throws IOException {
        try (Directory dir = newDirectory()) {
            index(dir);
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                float[] user = randomVector();
                Map<String, Float> history = Map.of("i4", 1f, "i40", 2f);
                long token = randomLongBetween(1, Long.MAX_VALUE);
                Query rewritten = new IndexSearcher(reader).rewrite(query(user, history, 20, token));
                IndexSearcher fetchPhase = new IndexSearcher(new SameKeyReader(reader, false)); // per-phase wrapper, same key
                Query again = fetchPhase.rewrite(query(user, history, 20, token)); // an equal query, parsed again
                assertSame("the query phase's candidates, not a second generation", rewritten, again);
                assertNotSame("taken out: not served twice", again, fetchPhase.rewrite(query(user, history, 20, token)));
                TopDocs top = fetchPhase.search(again, 10);
                assertEquals(10, top.scoreDocs.length);
                // as the fetch phase explains hits: in increasing doc id order (reading on from hit to hit), then once more
                ScoreDoc[] byDoc = top.scoreDocs.clone();
                java.util.Arrays.sort(byDoc, Comparator.comparingInt(hit -> hit.doc));
                for (ScoreDoc hit : byDoc) {
                    assertEquals("doc " + hit.doc, hit.score, fetchPhase.explain(again, hit.doc).getValue().floatValue(), 1e-6f);
                }
                assertEquals(byDoc[0].score, fetchPhase.explain(again, byDoc[0].doc).getValue().floatValue(), 1e-6f);
                Query second = new IndexSearcher(reader).rewrite(query(user, history, 20, token + 1));
                IndexSearcher restricted = new IndexSearcher(new SameKeyReader(reader, true));
                assertNotSame("another caller's view generates its own", second, restricted.rewrite(query(user, history, 20, token + 1)));
                Query third = new IndexSearcher(reader).rewrite(query(user, history, 20, token + 2));
                assertNotSame("another request (token) generates its own", third, fetchPhase.rewrite(query(user, history, 20, token + 3)));
                Query untokened = new IndexSearcher(reader).rewrite(query(user, history, false, 20));
                assertNotSame("a query without a token is never memoized", untokened, fetchPhase.rewrite(query(user, history, false, 20)));
            }
        }
    }

    private RecommendQuery query(float[] user, Map<String, Float> history, int numCandidates, long token) {
        RecommendQuery plain = query(user, history, false, numCandidates);
        List<CandidateGenerator> generators = List.of(
            CandidateGenerator.of(new KnnFloatVectorQuery("factors", user, numCandidates)),
            CandidateGenerator.of(neighborPostings(history))
        );
        return RecommendQuery.of(generators, numCandidates, null, false, plain.signals(), token);
    }

    /**
     * A wrapper of a reader that keeps its cache key, as Elasticsearch requires of its per-search wrappers; with
     * {@code hideFirst} it also hides each segment's first document through live documents of its own (as document-level
     * security does).
     */
    private static final class SameKeyReader extends FilterDirectoryReader {
        private final boolean hideFirst;

        SameKeyReader(DirectoryReader in, boolean hideFirst) throws IOException {
            super(in, new SubReaderWrapper() {
                @Override
                public LeafReader wrap(LeafReader reader) {
                    return new FilterLeafReader(reader) {
                        @Override
                        public Bits getLiveDocs() {
                            Bits live = in.getLiveDocs();
                            if (hideFirst == false) {
                                return live;
                            }
                            return new Bits() {
                                @Override
                                public boolean get(int index) {
                                    return index != 0 && (live == null || live.get(index));
                                }

                                @Override
                                public int length() {
                                    return in.maxDoc();
                                }
                            };
                        }

                        @Override
                        public int numDocs() {
                            return hideFirst ? Math.max(0, in.numDocs() - 1) : in.numDocs();
                        }

                        @Override
                        public CacheHelper getCoreCacheHelper() {
                            return in.getCoreCacheHelper();
                        }

                        @Override
                        public CacheHelper getReaderCacheHelper() {
                            return in.getReaderCacheHelper();
                        }
                    };
                }
            });
            this.hideFirst = hideFirst;
        }

        @Override
        protected DirectoryReader doWrapDirectoryReader(DirectoryReader in) throws IOException {
            return new SameKeyReader(in, hideFirst);
        }

        @Override
        public CacheHelper getReaderCacheHelper() {
            return in.getReaderCacheHelper();
        }
    }

    private RecommendQuery query(float[] user, Map<String, Float> history, boolean exact, int numCandidates) {
        List<String> items = new ArrayList<>(history.keySet());
        float[] weights = new float[items.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = history.get(items.get(i));
        }
        List<Query> generators = List.of(new KnnFloatVectorQuery("factors", user, numCandidates), neighborPostings(history));
        List<BlendSignal> signals = List.of(
            new DotProductSignal("factors", user, DOT),
            new NeighborSignal("neighbors", items, weights, NEIGHBORS)
        );
        return new RecommendQuery(generators, numCandidates, null, exact, signals);
    }

    private static Query neighborPostings(Map<String, Float> history) {
        BooleanQuery.Builder postings = new BooleanQuery.Builder();
        history.forEach((item, weight) -> postings.add(FeatureField.newLinearQuery("neighbors", item, weight), BooleanClause.Occur.SHOULD));
        return postings.build();
    }

    /** The oracle: raw values recomputed from the generated data, with the similarity as Lucene stores it. */
    private double expected(int item, float[] user, Map<String, Float> history) {
        double dot = 0;
        for (int d = 0; d < DIMS; d++) {
            dot += user[d] * vectors[item][d];
        }
        double neighborSum = 0;
        for (Map.Entry<String, Float> h : history.entrySet()) {
            Float sim = neighbors.get(item).get(h.getKey());
            if (sim != null) {
                neighborSum += h.getValue() * FeatureValues.quantize(sim);
            }
        }
        return DOT.contribution(dot) + NEIGHBORS.contribution(neighborSum);
    }

    private void index(Directory dir) throws IOException {
        IndexWriterConfig config = new IndexWriterConfig().setMaxBufferedDocs(97); // several segments
        try (IndexWriter writer = new IndexWriter(dir, config)) {
            for (int i = 0; i < ITEMS; i++) {
                vectors[i] = randomVector();
                Map<String, Float> sims = new HashMap<>();
                for (int n = 0; n < 15; n++) {
                    sims.put("i" + random.nextInt(ITEMS), 0.01f + random.nextFloat());
                }
                neighbors.add(sims);
                Document doc = new Document();
                doc.add(new StringField("id", Integer.toString(i), Field.Store.YES));
                String title = "w" + random.nextInt(12) + " w" + random.nextInt(12) + " w" + random.nextInt(12);
                doc.add(new TextField("title", title, Field.Store.NO));
                doc.add(new KnnFloatVectorField("factors", vectors[i], VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT));
                sims.forEach((feature, sim) -> doc.add(new FeatureField("neighbors", feature, sim)));
                writer.addDocument(doc);
            }
            for (int i = 9; i < ITEMS; i += 10) {
                writer.deleteDocuments(new Term("id", Integer.toString(i)));
            }
        }
    }

    private float[] randomVector() {
        float[] v = new float[DIMS];
        for (int d = 0; d < DIMS; d++) {
            v[d] = (float) random.nextGaussian();
        }
        return v;
    }

    private static int liveItems() {
        return ITEMS - ITEMS / 10;
    }

    private static int itemOf(IndexSearcher searcher, int doc) throws IOException {
        return Integer.parseInt(searcher.storedFields().document(doc).get("id"));
    }

    private static int docOf(IndexSearcher searcher, int item) throws IOException {
        TopDocs hits = searcher.search(new TermQuery(new Term("id", Integer.toString(item))), 1);
        return hits.scoreDocs.length == 0 ? -1 : hits.scoreDocs[0].doc;
    }
}
