package org.recsys.recommend.blend;

import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.recsys.recommend.math.ValueCaps;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

    private final int size;
    private final Query filter;
    private final Query excluded; // null: nothing excluded
    private final SortField byPopularity;
    private final Function<List<String>, Query> withAnyValue; // null: no capped field in this index

    public ShardBackfill(int size, Query filter, Query excluded, SortField byPopularity, Function<List<String>, Query> withAnyValue) {
        this.size = size;
        this.filter = filter;
        this.excluded = excluded;
        this.byPopularity = byPopularity;
        this.withAnyValue = withAnyValue;
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
        while (missing > 0) {
            checkCancelled.run();
            BooleanQuery.Builder query = new BooleanQuery.Builder().add(filter, BooleanClause.Occur.FILTER);
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
            if (candidates.length < window) {
                break; // nothing else passes the filter
            }
            after = (FieldDoc) candidates[candidates.length - 1];
        }
        return added;
    }

    /** Reads the capped field's values of hits, returned in the hits' order. */
    interface ValuesReader {
        List<List<String>> read(ScoreDoc[] hits) throws IOException;
    }
}
