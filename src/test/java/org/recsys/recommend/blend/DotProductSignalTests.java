package org.recsys.recommend.blend;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.elasticsearch.test.ESTestCase;
import org.recsys.recommend.math.Normalization;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The collaborative signal's batch read (vectors gathered from the segment's file, scored four at a time) against the
 * dot products recomputed from the indexed floats, for a full run of documents and for scattered candidates, in a
 * segment where every document has a vector (read from the raw slice) and one where some have none (vector by vector).
 */
public class DotProductSignalTests extends ESTestCase {

    private static final int DIMS = 20; // one whole 16-lane chunk and a tail, or two 8-lane chunks and a tail

    public void testBatchReadsEqualTheDotProductsOfTheStoredFloats() throws IOException {
        int docs = 700 + random().nextInt(300);
        float[][] vectors = new float[docs][];
        try (Directory dir = new MMapDirectory(createTempDir())) {
            try (IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig().setMaxBufferedDocs(docs))) {
                for (int d = 0; d < docs; d++) {
                    vectors[d] = randomVector();
                    Document doc = new Document();
                    doc.add(new StoredField("n", d));
                    doc.add(new KnnFloatVectorField("factors", vectors[d], VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT));
                    writer.addDocument(doc);
                }
                writer.commit(); // segment 1: dense
                for (int d = 0; d < 200; d++) {
                    Document doc = new Document();
                    doc.add(new StoredField("n", -1));
                    if (d % 3 == 0) {
                        doc.add(new KnnFloatVectorField("factors", randomVector(), VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT));
                    }
                    writer.addDocument(doc);
                }
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                assertEquals(2, reader.leaves().size());
                float[] user = randomVector();
                DotProductSignal signal = new DotProductSignal("factors", user, new SignalWeighting("c", 1, Normalization.LINEAR, 1));
                BlendSignal.Prepared prepared = signal.prepare(new IndexSearcher(reader));
                LeafReaderContext dense = reader.leaves().get(0);
                assertTrue("the dense segment is read from its raw float slice", DotProductSignal.readsRawSlice(prepared.forLeaf(dense)));
                assertFalse("a segment with gaps is read vector by vector",
                    DotProductSignal.readsRawSlice(prepared.forLeaf(reader.leaves().get(1))));

                int[] all = new int[docs];
                for (int d = 0; d < docs; d++) {
                    all[d] = d;
                }
                assertBatchMatches(prepared.forLeaf(dense), all, all.length, vectors, user);
                List<Integer> scattered = new ArrayList<>();
                for (int d = 0; d < docs; d += 1 + random().nextInt(4)) {
                    scattered.add(d); // runs of consecutive documents and gaps
                }
                int[] some = scattered.stream().mapToInt(Integer::intValue).toArray();
                assertBatchMatches(prepared.forLeaf(dense), some, some.length, vectors, user);

                LeafReaderContext sparse = reader.leaves().get(1);
                int[] second = new int[200];
                for (int d = 0; d < 200; d++) {
                    second[d] = d;
                }
                double[] batch = new double[200];
                prepared.forLeaf(sparse).raw(second, 200, batch);
                LeafSignal oneByOne = prepared.forLeaf(sparse);
                for (int d = 0; d < 200; d++) {
                    assertEquals("doc " + d, oneByOne.raw(d), batch[d], 0.0);
                    if (d % 3 != 0) {
                        assertEquals("no vector: 0", 0.0, batch[d], 0.0);
                    }
                }
            }
        }
    }

    private static void assertBatchMatches(LeafSignal leaf, int[] docs, int count, float[][] vectors, float[] user) throws IOException {
        double[] out = new double[count];
        leaf.raw(docs, count, out);
        for (int i = 0; i < count; i++) {
            double expected = 0;
            double magnitude = 0;
            for (int k = 0; k < DIMS; k++) {
                expected += (double) user[k] * vectors[docs[i]][k];
                magnitude += Math.abs((double) user[k] * vectors[docs[i]][k]);
            }
            assertEquals("doc " + docs[i], expected, out[i], 1e-6 * magnitude);
        }
    }

    private static float[] randomVector() {
        float[] v = new float[DIMS];
        for (int k = 0; k < DIMS; k++) {
            v[k] = (float) random().nextGaussian();
        }
        return v;
    }
}
