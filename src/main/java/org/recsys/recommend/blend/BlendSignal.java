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
    }
}
