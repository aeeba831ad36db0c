package org.recsys.recommend.blend;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.IndexSearcher;

import java.io.IOException;

/** One signal of a {@link RecommendQuery}: a weighting and a way to read raw values per segment. */
public interface BlendSignal {

    SignalWeighting weighting();

    /** Per-search preparation (e.g. a content query's weight), then per-segment readers. */
    Prepared prepare(IndexSearcher searcher) throws IOException;

    /** A signal ready to read segments. */
    interface Prepared {
        LeafSignal forLeaf(LeafReaderContext context) throws IOException;

        /**
         * Raw values of the given documents of one segment (sorted, distinct segment doc ids), in one pass. Signals that
         * read postings override this to walk each posting list once instead of advancing every list to every document.
         */
        default double[] rawValues(LeafReaderContext context, int[] docs) throws IOException {
            LeafSignal leaf = forLeaf(context);
            double[] raw = new double[docs.length];
            for (int i = 0; i < docs.length; i++) {
                raw[i] = leaf.raw(docs[i]);
            }
            return raw;
        }
    }
}
