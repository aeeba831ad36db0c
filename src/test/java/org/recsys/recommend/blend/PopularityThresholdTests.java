package org.recsys.recommend.blend;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.store.Directory;
import org.elasticsearch.test.ESTestCase;

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
}
