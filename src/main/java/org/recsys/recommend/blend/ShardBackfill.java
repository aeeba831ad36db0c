package org.recsys.recommend.blend;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.elasticsearch.core.CheckedFunction;
import org.recsys.recommend.math.ValueCaps;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleFunction;
import java.util.function.Function;

/**
 * Fills a page that per-value caps left short, on the shard itself: the most popular documents (by a numeric field,
 * descending) that pass a filter, are not excluded, are not on the page yet, and fit under the caps. Running here, next to
 * the capped window, saves the separate backfill search that would otherwise follow the recommendations.
 *
 * <p>Added documents score {@code -1 / (1 + popularity)} (popularity below 0 counts as 0): always below any recommendation
 * (recommend scores are never negative), in popularity order, and comparable across shards.
 */
public final class ShardBackfill {

    /** How many documents the first, thresholded search should have to choose from. */
    static final int WANTED = 1024;

    private final int size;
    private final Query filter;
    private final Query excluded; // null: nothing excluded
    private final SortField byPopularity;
    private final Function<List<String>, Query> withAnyValue; // null: no capped field in this index
    private final Popularity popularity; // null: no threshold, the sorted search covers the index from the start
    private final int wanted;
    private final int minSegmentDocs;

    /**
     * How to start below the most popular documents: the field's name, its values per segment, and a query for documents
     * whose popularity is at least some value.
     */
    public record Popularity(String field, CheckedFunction<LeafReaderContext, PopularityThreshold.LeafPopularity, IOException> values,
        DoubleFunction<Query> atLeast) {}

    public ShardBackfill(int size, Query filter, Query excluded, SortField byPopularity, Function<List<String>, Query> withAnyValue) {
        this(size, filter, excluded, byPopularity, withAnyValue, null, WANTED, PopularityThreshold.MIN_SEGMENT_DOCS);
    }

    public ShardBackfill(int size, Query filter, Query excluded, SortField byPopularity, Function<List<String>, Query> withAnyValue,
        Popularity popularity) {
        this(size, filter, excluded, byPopularity, withAnyValue, popularity, WANTED, PopularityThreshold.MIN_SEGMENT_DOCS);
    }

    ShardBackfill(int size, Query filter, Query excluded, SortField byPopularity, Function<List<String>, Query> withAnyValue,
        Popularity popularity, int wanted, int minSegmentDocs) {
        this.size = size;
        this.filter = filter;
        this.excluded = excluded;
        this.byPopularity = byPopularity;
        this.withAnyValue = withAnyValue;
        this.popularity = popularity;
        this.wanted = wanted;
        this.minSegmentDocs = minSegmentDocs;
    }

    /** The page size this backfill fills to: the page never needs more hits than this. */
    int size() {
        return size;
    }

    public static float scoreFor(double popularity) {
        return (float) (-1.0 / (1.0 + (popularity > 0 ? popularity : 0)));
    }

    /**
     * Backfill documents for a page of {@code page} hits, in order; {@code caps} (the page's values so far) takes theirs.
     * {@code values} reads the capped field's values of hits, in their order.
     */
    List<ScoreDoc> fill(IndexSearcher searcher, ScoreDoc[] page, ValueCaps caps, ValuesReader values, Runnable checkCancelled)
        throws IOException {
        List<ScoreDoc> added = new ArrayList<>();
        Set<Integer> onPage = new HashSet<>();
        for (ScoreDoc hit : page) {
            onPage.add(hit.doc);
        }
        int missing = size - page.length;
        FieldDoc after = null;
        Sort sort = new Sort(byPopularity);
        // first only the documents at or above a popularity that ~wanted documents reach: the sorted search then visits those
        // instead of most of the index; if they do not fill the page, the search goes on over the rest from where it stopped
        Query aboveThreshold = null;
        if (popularity != null && missing > 0) {
            double threshold = PopularityThreshold.of(searcher.getIndexReader().leaves(), popularity.field(), popularity.values(), wanted,
                minSegmentDocs);
            if (Double.isNaN(threshold) == false) {
                // documents at or above any bound come first in the sort, so whatever the field makes of the bound (integer
                // fields round it), the pages are the same; a little below, so the documents at the threshold are in
                aboveThreshold = popularity.atLeast().apply(threshold - Math.abs(threshold) * 1e-6 - Double.MIN_NORMAL);
            }
        }
        while (missing > 0) {
            checkCancelled.run();
            BooleanQuery.Builder query = new BooleanQuery.Builder().add(filter, BooleanClause.Occur.FILTER);
            if (aboveThreshold != null) {
                query.add(aboveThreshold, BooleanClause.Occur.FILTER);
            }
            if (excluded != null) {
                query.add(excluded, BooleanClause.Occur.MUST_NOT);
            }
            List<String> full = caps.fullValues();
            if (full.isEmpty() == false && withAnyValue != null) {
                // items holding a value already at its cap cannot be taken: leave them out rather than read and drop them
                query.add(withAnyValue.apply(full), BooleanClause.Occur.MUST_NOT);
            }
            int window = 2 * missing + 10; // slack for the page's own items and for values that fill up in this window
            TopDocs top = after == null
                ? searcher.search(query.build(), window, sort)
                : searcher.searchAfter(after, query.build(), window, sort);
            ScoreDoc[] candidates = top.scoreDocs;
            List<List<String>> candidateValues = values.read(candidates);
            for (int i = 0; i < candidates.length && missing > 0; i++) {
                FieldDoc candidate = (FieldDoc) candidates[i];
                if (onPage.contains(candidate.doc) || caps.takeIfFits(candidateValues.get(i)) == false) {
                    continue;
                }
                onPage.add(candidate.doc);
                Object popularity = candidate.fields[0];
                added.add(new ScoreDoc(candidate.doc, scoreFor(popularity instanceof Number n ? n.doubleValue() : 0)));
                missing--;
            }
            if (candidates.length > 0) {
                after = (FieldDoc) candidates[candidates.length - 1];
            }
            if (candidates.length < window) {
                if (aboveThreshold == null) {
                    break; // nothing else passes the filter
                }
                aboveThreshold = null; // every document above the threshold was seen: the rest come after them in this order
            }
        }
        return added;
    }

    /** Reads the capped field's values of hits, returned in the hits' order. */
    interface ValuesReader {
        List<List<String>> read(ScoreDoc[] hits) throws IOException;
    }
}
