package org.recsys.recommend.blend;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FloatDocValuesField;
import org.apache.lucene.document.FloatPoint;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.SortedSetDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;
import org.elasticsearch.index.fielddata.FormattedDocValues;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.test.ESTestCase;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The shard-side caps against the greedy walk recomputed from the indexed values, over several segments. */
public class PerValueCapRescorerTests extends ESTestCase {

    private static final int DOCS = 300;

    public void testKeepsExactlyTheGreedyWalkWithUnchangedScores() throws IOException {
        List<List<String>> values = new ArrayList<>();
        try (Directory dir = newDirectory()) {
            IndexWriterConfig config = new IndexWriterConfig().setMaxBufferedDocs(70); // several segments
            try (IndexWriter writer = new IndexWriter(dir, config)) {
                for (int i = 0; i < DOCS; i++) {
                    Document doc = new Document();
                    List<String> docValues = new ArrayList<>();
                    int count = randomIntBetween(0, 2); // some documents have no value: never capped
                    for (int v = 0; v < count; v++) {
                        String value = "g" + randomIntBetween(0, 5);
                        if (docValues.contains(value) == false) {
                            docValues.add(value);
                            doc.add(new SortedSetDocValuesField("g", new BytesRef(value)));
                            doc.add(new StringField("g", value, Field.Store.NO));
                        }
                    }
                    values.add(docValues);
                    doc.add(new FloatDocValuesField("pop", popularity(i)));
                    doc.add(new FloatPoint("pop", popularity(i)));
                    doc.add(new StringField("id", Integer.toString(i), Field.Store.NO));
                    if (inFilter(i)) {
                        doc.add(new StringField("flag", "y", Field.Store.NO));
                    }
                    writer.addDocument(doc);
                }
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                assertTrue(reader.leaves().size() > 1);
                IndexSearcher searcher = new IndexSearcher(reader);
                for (int round = 0; round < 20; round++) {
                    ScoreDoc[] ranked = randomRanking();
                    int cap = randomIntBetween(1, 4);
                    TopDocs capped = new PerValueCapRescorer(cap, PerValueCapRescorerTests::keywordValues).rescore(
                        new TopDocs(new TotalHits(ranked.length, TotalHits.Relation.EQUAL_TO), ranked.clone()),
                        searcher,
                        new RescoreContext(ranked.length, null)
                    );
                    assertArrayEquals(greedy(ranked, values, cap), capped.scoreDocs);
                    int size = randomIntBetween(1, 60);
                    Set<Integer> excluded = new HashSet<>();
                    for (int e = 0; e < 5; e++) {
                        excluded.add(randomIntBetween(0, DOCS - 1));
                    }
                    // at least one hit: Elasticsearch does not call rescorers for a shard without hits
                    ScoreDoc[] page = Arrays.copyOf(ranked, Math.min(ranked.length, randomIntBetween(1, 8)));
                    ShardBackfill backfill = new ShardBackfill(size, new TermQuery(new Term("flag", "y")), excludedQuery(excluded),
                        new SortField("pop", SortField.Type.FLOAT, true), PerValueCapRescorerTests::anyValue);
                    TopDocs filled = new PerValueCapRescorer(cap, PerValueCapRescorerTests::keywordValues, backfill).rescore(
                        new TopDocs(new TotalHits(page.length, TotalHits.Relation.EQUAL_TO), page.clone()),
                        searcher,
                        new RescoreContext(page.length, null)
                    );
                    ScoreDoc[] expected = withBackfill(greedy(page, values, cap), values, cap, size, excluded);
                    assertArrayEquals(expected, filled.scoreDocs);
                    // the same page when backfill starts above a popularity threshold: enough documents above it to fill the
                    // page, or too few (then it goes on below it), and segments too small to count
                    int wanted = randomIntBetween(1, DOCS);
                    ShardBackfill thresholded = new ShardBackfill(size, new TermQuery(new Term("flag", "y")), excludedQuery(excluded),
                        new SortField("pop", SortField.Type.FLOAT, true), PerValueCapRescorerTests::anyValue, popularity(), wanted,
                        randomIntBetween(1, 100));
                    TopDocs fromThreshold = new PerValueCapRescorer(cap, PerValueCapRescorerTests::keywordValues, thresholded).rescore(
                        new TopDocs(new TotalHits(page.length, TotalHits.Relation.EQUAL_TO), page.clone()),
                        searcher,
                        new RescoreContext(page.length, null)
                    );
                    assertArrayEquals(expected, fromThreshold.scoreDocs);
                }
            }
        }
    }

    public void testRefusesACapBelowOne() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> new PerValueCapRescorer(0, null));
        assertEquals("[max_per_value] must be >= 1, got [0]", e.getMessage());
    }

    /** The test's popularity field as production reads it: per document in doc order, and a range query from a value up. */
    private static ShardBackfill.Popularity popularity() {
        return new ShardBackfill.Popularity("pop", leaf -> {
            NumericDocValues values = DocValues.getNumeric(leaf.reader(), "pop");
            return doc -> values.advanceExact(doc) ? Float.intBitsToFloat((int) values.longValue()) : Double.NaN;
        }, atLeast -> FloatPoint.newRangeQuery("pop", (float) atLeast, Float.POSITIVE_INFINITY));
    }

    private static float popularity(int doc) {
        return (doc * 7919) % 1000; // distinct for the 300 documents: a total order without ties
    }

    private static boolean inFilter(int doc) {
        return doc % 3 != 0;
    }

    private static Query excludedQuery(Set<Integer> docs) {
        return new TermInSetQuery("id", docs.stream().map(d -> new BytesRef(Integer.toString(d))).toList());
    }

    private static Query anyValue(List<String> values) {
        return new TermInSetQuery("g", values.stream().map(BytesRef::new).toList());
    }

    /**
     * The oracle for backfill: after the capped page, walk every document in descending popularity and take the ones that
     * pass the filter, are not excluded, are not on the page and fit the caps, until the page has {@code size} documents.
     */
    private static ScoreDoc[] withBackfill(ScoreDoc[] greedy, List<List<String>> values, int cap, int size, Set<Integer> excluded) {
        ScoreDoc[] capped = Arrays.copyOf(greedy, Math.min(greedy.length, size)); // the page never holds more than size
        Map<String, Integer> counts = new HashMap<>();
        List<ScoreDoc> page = new ArrayList<>(Arrays.asList(capped));
        Set<Integer> onPage = new HashSet<>();
        for (ScoreDoc hit : capped) {
            values.get(hit.doc).forEach(v -> counts.merge(v, 1, Integer::sum));
            onPage.add(hit.doc);
        }
        List<Integer> byPopularity = new ArrayList<>();
        for (int doc = 0; doc < DOCS; doc++) {
            byPopularity.add(doc);
        }
        byPopularity.sort(Comparator.comparingDouble((Integer d) -> -popularity(d)));
        for (int doc : byPopularity) {
            if (page.size() >= size) {
                break;
            }
            List<String> docValues = values.get(doc);
            if (inFilter(doc) == false || excluded.contains(doc) || onPage.contains(doc)
                || docValues.stream().anyMatch(v -> counts.getOrDefault(v, 0) >= cap)) {
                continue;
            }
            docValues.forEach(v -> counts.merge(v, 1, Integer::sum));
            page.add(new ScoreDoc(doc, ShardBackfill.scoreFor(popularity(doc))));
        }
        return page.toArray(ScoreDoc[]::new);
    }

    /** A random subset of the documents, sorted by descending score as a query phase leaves them. */
    private ScoreDoc[] randomRanking() {
        List<ScoreDoc> hits = new ArrayList<>();
        for (int doc = 0; doc < DOCS; doc++) {
            if (randomBoolean()) {
                hits.add(new ScoreDoc(doc, randomFloat()));
            }
        }
        hits.sort(Comparator.comparingDouble((ScoreDoc h) -> -h.score).thenComparingInt(h -> h.doc));
        return hits.toArray(ScoreDoc[]::new);
    }

    private static ScoreDoc[] greedy(ScoreDoc[] ranked, List<List<String>> values, int cap) {
        Map<String, Integer> counts = new HashMap<>();
        List<ScoreDoc> kept = new ArrayList<>();
        for (ScoreDoc hit : ranked) {
            List<String> docValues = values.get(hit.doc);
            if (docValues.stream().allMatch(v -> counts.getOrDefault(v, 0) < cap)) {
                docValues.forEach(v -> counts.merge(v, 1, Integer::sum));
                kept.add(hit);
            }
        }
        return kept.toArray(ScoreDoc[]::new);
    }

    private static FormattedDocValues keywordValues(LeafReaderContext leaf) throws IOException {
        SortedSetDocValues docValues = leaf.reader().getSortedSetDocValues("g");
        return new FormattedDocValues() {
            @Override
            public boolean advanceExact(int doc) throws IOException {
                return docValues != null && docValues.advanceExact(doc);
            }

            @Override
            public int docValueCount() {
                return docValues.docValueCount();
            }

            @Override
            public Object nextValue() throws IOException {
                return docValues.lookupOrd(docValues.nextOrd()).utf8ToString();
            }
        };
    }

    private static void assertArrayEquals(ScoreDoc[] expected, ScoreDoc[] actual) {
        assertEquals(Arrays.toString(expected), expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i].doc, actual[i].doc);
            assertEquals(expected[i].score, actual[i].score, 0f);
        }
    }
}
