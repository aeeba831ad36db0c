package org.recsys.recommend.blend;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.SortedSetDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
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
import java.util.List;
import java.util.Map;

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
                        }
                    }
                    values.add(docValues);
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
                }
            }
        }
    }

    public void testRefusesACapBelowOne() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> new PerValueCapRescorer(0, null));
        assertEquals("[max_per_value] must be >= 1, got [0]", e.getMessage());
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
