package org.recsys.recommend.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.support.IndicesOptions;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.index.query.BoolQueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.sort.FieldSortBuilder;
import org.elasticsearch.search.sort.SortOrder;
import org.recsys.recommend.query.RecommendQueryBuilder;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Fills a page that the recommendations left short with popular items (or the request's backfill query), under the same
 * filter, exclusions and caps, each marked as backfill with its reason.
 */
final class Backfill {

    /** The page with its backfill, and the last backfill search (for its shard counts), null if none ran. */
    record Filled(List<Recommendation> page, SearchResponse search) {}

    private final Client client;
    private final String[] indices;
    private final IndicesOptions indicesOptions;
    private final RecommendSpec spec;
    private final RecommendQueryBuilder query;
    private final PageCaps caps; // null without per-value caps

    Backfill(Client client, String[] indices, IndicesOptions indicesOptions, RecommendSpec spec, RecommendQueryBuilder query,
        PageCaps caps) {
        this.client = client;
        this.indices = indices;
        this.indicesOptions = indicesOptions;
        this.spec = spec;
        this.query = query;
        this.caps = caps;
    }

    /**
     * Completes with {@code ranked} followed by backfill up to {@code page} items (fewer only when nothing else fits).
     * {@code seen} must already hold the profile's history.
     */
    void fill(Set<String> seen, List<Recommendation> ranked, int page, ActionListener<Filled> listener) {
        fill(seen, ranked, page, null, listener);
    }

    private void fill(Set<String> seen, List<Recommendation> ranked, int page, SearchResponse last, ActionListener<Filled> listener) {
        int missing = page - ranked.size();
        if (missing <= 0) {
            listener.onResponse(new Filled(ranked, last));
            return;
        }
        Set<String> excluded = new LinkedHashSet<>(seen);
        excluded.addAll(query.exclude());
        ranked.forEach(r -> excluded.add(r.id()));
        // under caps, a little slack covers values that fill up within the backfill itself
        int window = caps != null ? Math.min(RecommendSpec.MAX_WINDOW, 2 * missing + 10) : missing;
        client.search(search(excluded, caps == null ? List.of() : caps.fullValues(), window), listener.delegateFailureAndWrap((l, r) -> {
            List<Recommendation> all = new ArrayList<>(ranked);
            add(r, all, page);
            if (all.size() < page && r.getHits().getHits().length == window && window < RecommendSpec.MAX_WINDOW) {
                // values filled up inside this window: look again past what was taken, with the new full values left out
                fill(seen, all, page, r, l);
                return;
            }
            l.onResponse(new Filled(all, r));
        }));
    }

    /**
     * Popular items (or the backfill query's hits) under the request's filter, without the {@code excluded} ids and without
     * items holding a value already at its cap: those could not be taken, so they are left out in the query rather than
     * read and dropped here.
     */
    private SearchRequest search(Set<String> excluded, List<String> fullValues, int window) {
        BoolQueryBuilder backfill = QueryBuilders.boolQuery()
            .must(spec.backfill().query() == null ? QueryBuilders.matchAllQuery() : spec.backfill().query());
        if (query.filter() != null) {
            backfill.filter(query.filter());
        }
        if (excluded.isEmpty() == false) {
            backfill.mustNot(QueryBuilders.idsQuery().addIds(excluded.toArray(String[]::new)));
        }
        if (fullValues.isEmpty() == false) {
            backfill.mustNot(QueryBuilders.termsQuery(spec.diversity().field(), fullValues));
        }
        SearchSourceBuilder source = new SearchSourceBuilder().query(backfill).size(window).trackTotalHits(false);
        if (caps != null) {
            source.docValueField(spec.diversity().field());
        }
        if (spec.backfill().query() == null) {
            source.sort(new FieldSortBuilder(spec.popularityField()).order(SortOrder.DESC).unmappedType("float"));
        }
        if (spec.fetchSource() != null) {
            source.fetchSource(spec.fetchSource());
        }
        return new ProfileSearchRequest(indices).indicesOptions(indicesOptions).source(source);
    }

    /** A backfill recommendation: marked as such, score 0 unless the backfill query scored it, and why it is there. */
    Recommendation recommendation(SearchHit hit, Object popularity) {
        String reason = spec.backfill().query() == null ? "popular" : "matches the backfill query";
        List<String> reasons = List.of(
            popularity instanceof Number n
                ? String.format(Locale.ROOT, "%s (%s %.0f)", reason, spec.popularityField(), n.doubleValue())
                : reason
        );
        float score = Float.isNaN(hit.getScore()) || hit.getScore() < 0 ? 0f : hit.getScore();
        return new Recommendation(hit.getIndex(), hit.getId(), score, true, hit.hasSource() ? hit.getSourceAsMap() : null, List.of(),
            reasons, null);
    }

    /**
     * Appends backfill hits, in order, that fit under the caps, until the page is full. The search already left out what
     * is on the page, so a hit is never taken twice.
     */
    private void add(SearchResponse backfill, List<Recommendation> all, int page) {
        for (SearchHit hit : backfill.getHits().getHits()) {
            if (all.size() >= page) {
                return;
            }
            if (caps == null || caps.takeIfFits(hit)) {
                all.add(recommendation(hit, hit.getSortValues().length > 0 ? hit.getSortValues()[0] : null));
            }
        }
    }
}
