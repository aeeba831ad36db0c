package org.recsys.recommend.query;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.Field;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.store.Directory;
import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.test.ESTestCase;
import org.recsys.recommend.testing.OwnFieldInfos;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The history text cache: loads once per segment, document and fields; forgets a segment when it closes; stays bounded. */
public class HistoryTextCacheTests extends ESTestCase {

    public void testLoadsOncePerDocumentAndFieldsAndForgetsClosedSegments() throws IOException {
        HistoryTextCache cache = new HistoryTextCache(ByteSizeValue.ofKb(64));
        AtomicInteger loads = new AtomicInteger();
        try (Directory dir = newDirectory()) {
            index(dir, 10);
            DirectoryReader reader = DirectoryReader.open(dir);
            LeafReader leaf = reader.leaves().get(0).reader();
            for (int round = 0; round < 3; round++) {
                for (int doc = 0; doc < 10; doc++) {
                    int d = doc;
                    List<String> texts = cache.texts(leaf, doc, List.of("title"), () -> {
                        loads.incrementAndGet();
                        return List.of("title of " + d);
                    });
                    assertEquals(List.of("title of " + doc), texts);
                }
            }
            assertEquals("each document read once, then served from the cache", 10, loads.get());
            cache.texts(leaf, 3, List.of("title", "genres"), () -> {
                loads.incrementAndGet();
                return List.of("title of 3", "drama");
            });
            assertEquals("other fields are another entry", 11, loads.get());
            assertEquals(11, cache.count());
            reader.close();
            assertEquals("the segment closed: its entries are gone", 0, cache.count());
        }
    }

    public void testAReaderThatHidesFieldsReadsWithoutTheCache() throws IOException {
        HistoryTextCache cache = new HistoryTextCache(ByteSizeValue.ofKb(64));
        AtomicInteger loads = new AtomicInteger();
        try (Directory dir = newDirectory()) {
            index(dir, 3);
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                LeafReader leaf = reader.leaves().get(0).reader();
                for (int search = 0; search < 3; search++) {
                    // like field-level security: a wrapper with field infos of its own (here without any field), per search
                    LeafReader hiding = OwnFieldInfos.leaf(leaf, FieldInfos.EMPTY);
                    cache.texts(hiding, 1, List.of("title"), () -> {
                        loads.incrementAndGet();
                        return List.of("");
                    });
                }
                assertEquals("read every time", 3, loads.get());
                assertEquals("and nothing kept", 0, cache.count());
                cache.texts(leaf, 1, List.of("title"), () -> List.of("title of 1"));
                assertEquals("the plain reader still caches", 1, cache.count());
            }
        }
    }

    public void testSizeZeroNeverCachesAndTheWeightIsBounded() throws IOException {
        HistoryTextCache off = new HistoryTextCache(ByteSizeValue.ZERO);
        HistoryTextCache small = new HistoryTextCache(ByteSizeValue.ofBytes(2_000));
        AtomicInteger loads = new AtomicInteger();
        try (Directory dir = newDirectory()) {
            index(dir, 200);
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                LeafReader leaf = reader.leaves().get(0).reader();
                for (int round = 0; round < 2; round++) {
                    off.texts(leaf, 0, List.of("title"), () -> {
                        loads.incrementAndGet();
                        return List.of("x");
                    });
                }
                assertEquals(2, loads.get());
                assertEquals(0, off.count());
                for (int doc = 0; doc < 200; doc++) {
                    small.texts(leaf, doc, List.of("title"), () -> List.of("a title of some forty characters, give or take"));
                }
                // each entry weighs ~240 bytes: 2,000 bytes hold a handful, not 200
                assertTrue("entries kept: " + small.count(), small.count() > 0 && small.count() < 10);
            }
        }
    }

    private static void index(Directory dir, int docs) throws IOException {
        try (IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig().setMaxBufferedDocs(docs + 1))) {
            for (int i = 0; i < docs; i++) {
                Document doc = new Document();
                doc.add(new StringField("id", Integer.toString(i), Field.Store.YES));
                writer.addDocument(doc);
            }
            writer.forceMerge(1);
        }
    }
}
