package org.recsys.recommend.blend;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.store.Directory;
import org.elasticsearch.test.ESTestCase;
import org.recsys.recommend.testing.OwnFieldInfos;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The threshold against the k-th largest value computed by sorting every value, over segments larger than what each keeps. */
public class PopularityThresholdTests extends ESTestCase {

    public void testIsTheWantedLargestValueOverTheLargeSegments() throws IOException {
        try (Directory dir = newDirectory()) {
            List<Long> values = new ArrayList<>();
            // segments of 6,000 documents: more than the 4,096 values each keeps, so the heap replaces values
            try (IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig().setMaxBufferedDocs(6000))) {
                for (int i = 0; i < 18_000; i++) {
                    Document doc = new Document();
                    if (random().nextInt(10) > 0) { // some documents have no popularity
                        long value = random().nextInt(50_000); // ties happen
                        doc.add(new NumericDocValuesField("pop", value));
                        values.add(value);
                    }
                    writer.addDocument(doc);
                }
            }
            values.sort(Comparator.reverseOrder());
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                assertTrue(reader.leaves().size() > 1);
                for (int wanted : new int[] { 1, 2, randomIntBetween(3, 4096), 4096 }) {
                    double threshold = PopularityThreshold.of(reader.leaves(), "pop", leaf -> {
                        NumericDocValues v = DocValues.getNumeric(leaf.reader(), "pop");
                        return doc -> v.advanceExact(doc) ? v.longValue() : Double.NaN;
                    }, wanted, 1);
                    assertEquals("wanted " + wanted, values.get(wanted - 1), threshold, 0);
                }
                assertTrue("no segment is large enough: no threshold", Double.isNaN(PopularityThreshold.of(reader.leaves(), "pop", leaf -> {
                    NumericDocValues v = DocValues.getNumeric(leaf.reader(), "pop");
                    return doc -> v.advanceExact(doc) ? v.longValue() : Double.NaN;
                }, 4096, 1_000_000)));
            }
        }
    }

    public void testReadersThatRebuildFieldInfosShareTheKeptValuesAndHiddenFieldsGiveNone() throws IOException {
        try (Directory dir = newDirectory()) {
            try (IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig().setMaxBufferedDocs(3000))) {
                for (int i = 0; i < 9000; i++) {
                    Document doc = new Document();
                    doc.add(new NumericDocValuesField("pop", i));
                    writer.addDocument(doc);
                }
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                int segments = reader.leaves().size();
                int before = PopularityThreshold.entries();
                for (int search = 0; search < 3; search++) {
                    // like field-level security: a new wrapper with new field infos for every search (not closed: that
                    // would close the reader it wraps, and it holds nothing else)
                    DirectoryReader wrapped = OwnFieldInfos.directory(reader, true);
                    assertEquals(8999 - 9, PopularityThreshold.of(wrapped.leaves(), "pop", PopularityThresholdTests::pop, 10, 1), 0);
                }
                assertEquals("one entry per segment, however often it is wrapped", before + segments, PopularityThreshold.entries());
                DirectoryReader hiding = OwnFieldInfos.directory(reader, false);
                assertTrue(Double.isNaN(PopularityThreshold.of(hiding.leaves(), "pop", PopularityThresholdTests::pop, 10, 1)));
            }
        }
    }

    private static PopularityThreshold.LeafPopularity pop(LeafReaderContext leaf) throws IOException {
        NumericDocValues v = DocValues.getNumeric(leaf.reader(), "pop");
        return doc -> v.advanceExact(doc) ? v.longValue() : Double.NaN;
    }
}
