package org.recsys.recommend.blend;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.elasticsearch.core.CheckedFunction;
import org.elasticsearch.index.fielddata.FormattedDocValues;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.search.rescore.Rescorer;
import org.recsys.recommend.math.ValueCaps;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Drops every hit that would put one of its field values over {@code maxPerValue}, walking the shard's hits in score
 * order. Kept hits keep their scores and order, so the result is still sorted by score and every kept hit's explanation is
 * the query's own. Values are read from doc values (one pass per segment in doc id order), never from {@code _source}.
 */
public final class PerValueCapRescorer implements Rescorer {

    private static final int CHUNK = 64;

    private final int maxPerValue;
    // Null when the field is unmapped in this index and unmapped fields are ignored: no hit has values, none is capped.
    private final CheckedFunction<LeafReaderContext, FormattedDocValues, IOException> values;
    private final ShardBackfill backfill; // null: a short page stays short

    public PerValueCapRescorer(int maxPerValue, CheckedFunction<LeafReaderContext, FormattedDocValues, IOException> values) {
        this(maxPerValue, values, null);
    }

    public PerValueCapRescorer(
        int maxPerValue,
        CheckedFunction<LeafReaderContext, FormattedDocValues, IOException> values,
        ShardBackfill backfill
    ) {
        this.maxPerValue = ValueCaps.checkedCap(maxPerValue);
        this.values = values;
        this.backfill = backfill;
    }

    @Override
    public TopDocs rescore(TopDocs topDocs, IndexSearcher searcher, RescoreContext context) throws IOException {
        ScoreDoc[] hits = topDocs.scoreDocs;
        if (hits.length == 0 || (values == null && backfill == null)) {
            return topDocs;
        }
        // with backfill the page is at most its size: stop walking the window once that many hits are kept
        int limit = backfill == null ? hits.length : backfill.size();
        List<ScoreDoc> kept = new ArrayList<>();
        ValueCaps caps = new ValueCaps(maxPerValue);
        // values are read a chunk of the ranking at a time (in doc id order within it), so a page that fills early does not
        // pay for reading the whole window; chunks double, so a page that needs the whole window reads it in a few passes
        int chunkSize = CHUNK;
        for (int from = 0; from < hits.length && kept.size() < limit; from += chunkSize, chunkSize *= 2) {
            context.checkCancellation();
            ScoreDoc[] chunk = Arrays.copyOfRange(hits, from, Math.min(hits.length, from + chunkSize));
            List<List<String>> chunkValues = valuesInRankOrder(chunk, searcher);
            for (int i = 0; i < chunk.length && kept.size() < limit; i++) {
                if (caps.takeIfFits(chunkValues.get(i))) {
                    kept.add(chunk[i]);
                }
            }
        }
        if (backfill != null) {
            ScoreDoc[] page = kept.toArray(ScoreDoc[]::new);
            kept.addAll(backfill.fill(searcher, page, caps, docs -> valuesInRankOrder(docs, searcher), context::checkCancellation));
        }
        return new TopDocs(topDocs.totalHits, kept.toArray(ScoreDoc[]::new));
    }

    private List<List<String>> valuesInRankOrder(ScoreDoc[] hits, IndexSearcher searcher) throws IOException {
        if (values == null) {
            return new ArrayList<>(Collections.nCopies(hits.length, List.of()));
        }
        // doc values only move forward: visit the hits in doc id order, remember each one's values at its rank (doc and
        // rank packed in one long, so the sort needs no boxing)
        long[] docAndRank = new long[hits.length];
        for (int i = 0; i < hits.length; i++) {
            docAndRank[i] = ((long) hits[i].doc << 32) | i;
        }
        Arrays.sort(docAndRank);
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        List<List<String>> inRankOrder = new ArrayList<>(Collections.nCopies(hits.length, List.of()));
        LeafReaderContext leaf = null;
        FormattedDocValues docValues = null;
        for (long packed : docAndRank) {
            int rank = (int) packed;
            int doc = (int) (packed >>> 32);
            if (leaf == null || doc >= leaf.docBase + leaf.reader().maxDoc()) {
                leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
                docValues = values.apply(leaf);
            }
            if (docValues.advanceExact(doc - leaf.docBase)) {
                int count = docValues.docValueCount();
                List<String> docValuesAsText = new ArrayList<>(count);
                for (int v = 0; v < count; v++) {
                    docValuesAsText.add(String.valueOf(docValues.nextValue()));
                }
                inRankOrder.set(rank, docValuesAsText);
            }
        }
        return inRankOrder;
    }

    /**
     * A kept hit's score is the query's score: its explanation is the query's. A hit the query does not match can only be
     * on the page as backfill.
     */
    @Override
    public Explanation explain(int topLevelDocId, IndexSearcher searcher, RescoreContext context, Explanation sourceExplanation) {
        if (backfill != null && sourceExplanation.isMatch() == false) {
            return Explanation.match(0f, "backfill: a popular document that passes the filter and the caps, scored -1 / (1 + popularity)");
        }
        return sourceExplanation;
    }
}
