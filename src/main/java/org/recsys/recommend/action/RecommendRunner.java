package org.recsys.recommend.action;

import org.apache.lucene.search.Explanation;
import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.fieldcaps.FieldCapabilitiesRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.support.IndicesOptions;
import org.elasticsearch.action.support.SubscribableListener;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.common.Randomness;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.recsys.recommend.blend.RecommendQuery;
import org.recsys.recommend.query.DiversityBackfill;
import org.recsys.recommend.query.DiversityRescorerBuilder;
import org.recsys.recommend.query.RecommendInputs;
import org.recsys.recommend.query.RecommendQueryBuilder;
import org.recsys.recommend.query.UnknownUserException;
import org.recsys.recommend.query.UserRef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs one {@code _recommend} spec: look up the profile (to know what was seen, and whether the user exists), run the
 * recommend query for a window large enough for re-ranking, apply dithering then diversity, and backfill the page with
 * popular (or any) items that pass the same filter and exclusions.
 */
final class RecommendRunner {

    private final Client client;
    private final String[] indices;
    private final IndicesOptions indicesOptions;
    private final RecommendSpec spec;
    // The spec's query, then the same query with the user's profile inline once it has been read.
    private RecommendQueryBuilder query;
    private final long start = System.nanoTime();
    // Per-value caps of the page being built (null without them): recommendations and backfill count against them.
    private final PageCaps caps;

    RecommendRunner(Client client, String[] indices, IndicesOptions indicesOptions, RecommendSpec spec) {
        this.client = client;
        this.indices = indices;
        this.indicesOptions = indicesOptions;
        this.spec = spec;
        // the page's reasons need each signal's values, not the per-term BM25 of the content signal, unless asked for
        RecommendQueryBuilder asked = spec.query() == null || spec.explain() ? spec.query() : spec.query().explainTerms(false);
        // this request's token: its fetch phase, which explains the page, reuses its query phase's candidates
        this.query = asked == null ? null : asked.handoffToken(Randomness.get().nextLong() | 1); // null: a parse error
        this.caps = capsOn() ? new PageCaps(spec.diversity().field(), spec.diversity().maxPerValue()) : null;
    }

    void run(ActionListener<RecommendResponse.Entry> listener) {
        if (spec.parseError() != null) {
            listener.onFailure(spec.parseError());
            return;
        }
        RecommendInputs sent = spec.query().inputs();
        UserRef user = sent.user();
        // An unknown user surfaces as the profile lookup's error; when the request says so, it gets a backfilled page.
        ActionListener<RecommendResponse.Entry> unknownUserAsBackfill = listener.delegateResponse((l, e) -> {
            if (user != null && spec.unknownUser() == RecommendSpec.UnknownUser.BACKFILL && isUnknownUser(e, user)) {
                finish(new LinkedHashSet<>(spec.query().excludeSeen() ? sent.seenIds() : Set.of()), List.of(), null, l);
            } else {
                l.onFailure(e);
            }
        });
        // The profile is read once, here, in parallel with the diversity field's check: every search of this request then
        // carries it inline (no lookup per search), and backfill knows what was seen without reading it again.
        // (per-value caps without dithering check their field only when something looks wrong: see searchWithShardCaps)
        SubscribableListener<Void> fieldChecked = capsOnShards()
            ? SubscribableListener.newSucceeded(null)
            : SubscribableListener.newForked(this::checkDiversityField);
        SubscribableListener<RecommendQueryBuilder> resolved = SubscribableListener.newForked(
            l -> query.resolveProfile(client, l)
        );
        fieldChecked.<RecommendQueryBuilder>andThen((l, ignored) -> resolved.addListener(l))
            .addListener(unknownUserAsBackfill.delegateFailureAndWrap((l, withProfile) -> {
                query = withProfile;
                search(new LinkedHashSet<>(query.excludeSeen() ? query.inputs().seenIds() : Set.of()), l);
            }));
    }

    private static boolean isUnknownUser(Exception e, UserRef user) {
        return ExceptionsHelper.unwrapCause(e) instanceof UnknownUserException unknown && unknown.userId().equals(user.id());
    }

    /** An unmapped diversity field would silently cap nothing: refuse it. */
    private void checkDiversityField(ActionListener<Void> listener) {
        if (spec.diversity() == null) {
            listener.onResponse(null);
            return;
        }
        String field = spec.diversity().field();
        FieldCapabilitiesRequest request = new FieldCapabilitiesRequest().indices(indices).indicesOptions(indicesOptions).fields(field);
        client.fieldCaps(request, listener.delegateFailureAndWrap((l, response) -> {
            if (response.getField(field) == null || response.getField(field).isEmpty()) {
                l.onFailure(new IllegalArgumentException("[diversity.field] [" + field + "] is not mapped in " + List.of(indices)));
            } else if (capsOn() && response.getField(field).values().stream().anyMatch(c -> c.isAggregatable() == false)) {
                l.onFailure(
                    new IllegalArgumentException(
                        "[diversity.field] [" + field + "] has no doc values: per-value caps need a keyword, numeric, boolean or "
                            + "date field (type " + response.getField(field).keySet() + ")"
                    )
                );
            } else {
                l.onResponse(null);
            }
        }));
    }

    private int window() {
        int page = spec.from() + spec.size();
        if (reranks() == false) {
            return page;
        }
        int window = Math.max(3 * page, page + 50);
        if (capsOn()) {
            // Caps may reject most of a short window when a user's taste sits in one or two values; one window as deep as
            // the union of the generators' candidates costs one search instead of several widening rounds, each of which
            // re-runs the generators. (When the generators went deeper in ec5acf3 and this stayed 3 × num_candidates, the
            // top of the deeper union crowded out the other values: 32 % of a capped page was backfill, not 22 %.)
            window = Math.max(window, RecommendQuery.maxCandidatesPerShard(query.numCandidates()));
        }
        return Math.min(RecommendSpec.MAX_WINDOW, window);
    }

    private void search(Set<String> seen, ActionListener<RecommendResponse.Entry> listener) {
        if (spec.size() == 0) {
            finish(seen, List.of(), null, listener);
            return;
        }
        if (capsOnShards()) {
            searchWithShardCaps(seen, listener);
        } else if (reranks() == false && spec.from() > 0) {
            searchPage(seen, listener);
        } else {
            search(seen, window(), listener);
        }
    }

    /**
     * A later page without re-ranking: the search returns and explains only the page's hits (from, size), not every hit
     * before them. Only if the page comes back short (the recommendations end on it, so backfill starts there or before)
     * does the request take the general road, which knows how many recommendations precede the backfill.
     */
    private void searchPage(Set<String> seen, ActionListener<RecommendResponse.Entry> listener) {
        SearchSourceBuilder source = new SearchSourceBuilder().query(query)
            .from(spec.from())
            .size(spec.size())
            .explain(true)
            .trackTotalHits(false);
        if (spec.fetchSource() != null) {
            source.fetchSource(spec.fetchSource());
        }
        SearchRequest search = new ProfileSearchRequest(indices).indicesOptions(indicesOptions).source(source);
        client.search(search, listener.delegateFailureAndWrap((l, r) -> {
            SearchHit[] hits = r.getHits().getHits();
            if (hits.length < spec.size()) {
                search(seen, window(), l);
                return;
            }
            l.onResponse(pageEntry(r, Arrays.stream(hits).map(hit -> recommendation(hit, hit)).toList()));
        }));
    }

    /**
     * Per-value caps without dithering: each shard caps its own window (the {@code recommend_diversity} rescorer) and
     * returns at most the page, explained, in one search. With one shard that page is exactly the greedy walk over the
     * window; with several, the merged page is checked against the caps again, and if a value went over its cap the
     * request falls back to re-ranking one bare window of all shards here.
     */
    private void searchWithShardCaps(Set<String> seen, ActionListener<RecommendResponse.Entry> listener) {
        int page = spec.from() + spec.size();
        // an exact query's candidates are every matching document, so look as deep as a window may go
        int window = query.exact() ? RecommendSpec.MAX_WINDOW : window();
        String field = spec.diversity().field();
        // caps often leave a page short (a user whose taste sits in one value gets at most the cap of it): the shard then
        // backfills with popular items itself, which saves the separate backfill search
        boolean shardBackfill = spec.backfill().enabled() && spec.backfill().query() == null;
        DiversityBackfill backfill = null;
        if (shardBackfill) {
            Set<String> excluded = new LinkedHashSet<>(seen);
            excluded.addAll(query.exclude());
            backfill = new DiversityBackfill(page, spec.popularityField(), query.filter(), List.copyOf(excluded));
        }
        SearchSourceBuilder source = new SearchSourceBuilder().query(query)
            .size(page)
            .explain(true)
            .trackTotalHits(false)
            .docValueField(field)
            .addRescorer(new DiversityRescorerBuilder(field, spec.diversity().maxPerValue(), true, backfill).windowSize(window));
        if (shardBackfill) {
            source.docValueField(spec.popularityField());
        }
        if (spec.fetchSource() != null) {
            source.fetchSource(spec.fetchSource());
        }
        // The shards skip indices without the field (ignore_unmapped), so a typo would cap nothing: when the search fails, or
        // when no hit has a value, the field is checked then, and a bad field is reported as such. No check otherwise.
        ActionListener<RecommendResponse.Entry> checkedOnFailure = listener.delegateResponse(
            (l, e) -> checkDiversityField(ActionListener.wrap(fieldIsFine -> l.onFailure(e), l::onFailure))
        );
        SearchRequest request = new ProfileSearchRequest(indices).indicesOptions(indicesOptions).source(source);
        client.search(request, checkedOnFailure.delegateFailureAndWrap((l, r) -> {
            SearchHit[] hits = r.getHits().getHits();
            if (Arrays.stream(hits).allMatch(hit -> hit.field(field) == null)) {
                checkDiversityField(l.delegateFailureAndWrap((ll, fieldIsFine) -> onShardCapsPage(seen, r, ll)));
            } else {
                onShardCapsPage(seen, r, l);
            }
        }));
    }

    private void onShardCapsPage(Set<String> seen, SearchResponse r, ActionListener<RecommendResponse.Entry> l) {
        SearchHit[] hits = r.getHits().getHits();
        caps.clear();
        List<SearchHit> kept = WindowReranking.rerank(spec, caps, hits);
        boolean backfilled = Arrays.stream(hits).anyMatch(hit -> hit.getScore() < 0);
        if (kept.size() < hits.length || (backfilled && r.getTotalShards() > 1)) {
            // several shards: a merged page can break a cap, and shards' backfills do not add up to the best one
            search(seen, window(), l);
            return;
        }
        List<Recommendation> ranked = new ArrayList<>();
        for (SearchHit hit : kept) {
            if (hit.getScore() < 0) {
                DocumentField popularity = hit.field(spec.popularityField());
                ranked.add(backfill().recommendation(hit, popularity == null ? null : popularity.getValue()));
            } else {
                ranked.add(recommendation(hit, hit));
            }
        }
        finish(seen, ranked, r, l);
    }

    private boolean capsOnShards() {
        return capsOn() && spec.dither() == null;
    }

    private boolean reranks() {
        return spec.diversity() != null || spec.dither() != null;
    }

    /**
     * Without re-ranking the page is the query's top hits, explained in the same search. With re-ranking, the window is
     * searched bare (ids, scores, the diversity field) and only the final page is explained and fetched, by a second
     * search restricted to its ids: explaining a window of thousands of hits would cost far more than the query.
     */
    private void search(Set<String> seen, int window, ActionListener<RecommendResponse.Entry> listener) {
        boolean rerank = reranks();
        SearchSourceBuilder source = new SearchSourceBuilder().query(query)
            .size(window)
            .explain(rerank == false)
            .trackTotalHits(false);
        if (rerank) {
            source.fetchSource(false);
        } else if (spec.fetchSource() != null) {
            source.fetchSource(spec.fetchSource());
        }
        if (capsOn()) {
            source.docValueField(spec.diversity().field()); // doc values: no _source parsing for a deep window
        } else if (spec.diversity() != null) {
            source.fetchField(spec.diversity().field());
        }
        SearchRequest search = new ProfileSearchRequest(indices).indicesOptions(indicesOptions).source(source);
        client.search(search, listener.delegateFailureAndWrap((l, r) -> {
            SearchHit[] hits = r.getHits().getHits();
            if (caps != null) {
                caps.clear();
            }
            List<SearchHit> kept = WindowReranking.rerank(spec, caps, hits);
            boolean moreAvailable = hits.length == window && window < RecommendSpec.MAX_WINDOW;
            if (capsOn() && kept.size() < spec.from() + spec.size() && moreAvailable) {
                // the caps rejected too much of this window: look four times further down before backfilling
                search(seen, Math.min(RecommendSpec.MAX_WINDOW, window * 4), l);
                return;
            }
            if (rerank == false || kept.isEmpty()) {
                finish(seen, kept.stream().map(hit -> recommendation(hit, hit)).toList(), r, l);
                return;
            }
            explainPage(kept, l.delegateFailureAndWrap((ll, recommendations) -> finish(seen, recommendations, r, ll)));
        }));
    }

    private void explainPage(List<SearchHit> kept, ActionListener<List<Recommendation>> listener) {
        String[] ids = kept.stream().map(SearchHit::getId).toArray(String[]::new);
        // Scored exactly on the page's ids: the same signals and scores, without re-running the candidate generators.
        QueryBuilder onlyPage = query.scoringOnly(QueryBuilders.idsQuery().addIds(ids));
        SearchSourceBuilder source = new SearchSourceBuilder().query(onlyPage).size(ids.length).explain(true).trackTotalHits(false);
        if (spec.fetchSource() != null) {
            source.fetchSource(spec.fetchSource());
        }
        client.search(new ProfileSearchRequest(indices).indicesOptions(indicesOptions).source(source), listener.map(r -> {
            Map<String, SearchHit> described = new HashMap<>();
            for (SearchHit hit : r.getHits().getHits()) {
                described.put(hit.getIndex() + "/" + hit.getId(), hit);
            }
            List<Recommendation> out = new ArrayList<>();
            for (SearchHit hit : kept) {
                SearchHit details = described.get(hit.getIndex() + "/" + hit.getId());
                out.add(recommendation(hit, details == null ? hit : details));
            }
            return out;
        }));
    }

    private Recommendation recommendation(SearchHit ranked, SearchHit details) {
        Explanation explanation = ExplanationReader.recommendPart(details.getExplanation());
        return new Recommendation(
            ranked.getIndex(),
            ranked.getId(),
            ranked.getScore(),
            false,
            details.hasSource() ? details.getSourceAsMap() : null,
            ExplanationReader.signals(explanation),
            ExplanationReader.reasons(explanation),
            spec.explain() ? explanation : null
        );
    }

    /** Backfills the page if it is short (and backfill is on), then answers with it. */
    private void finish(Set<String> seen, List<Recommendation> ranked, SearchResponse main, ActionListener<RecommendResponse.Entry> l) {
        int page = spec.from() + spec.size();
        if (ranked.size() >= page || spec.backfill().enabled() == false) {
            l.onResponse(entry(main, ranked));
            return;
        }
        backfill().fill(seen, ranked, page, l.map(filled -> entry(main != null ? main : filled.search(), filled.page())));
    }

    private Backfill backfill() {
        return new Backfill(client, indices, indicesOptions, spec, query, caps);
    }

    private RecommendResponse.Entry entry(SearchResponse shards, List<Recommendation> all) {
        return pageEntry(shards, all.subList(Math.min(spec.from(), all.size()), Math.min(spec.from() + spec.size(), all.size())));
    }

    private RecommendResponse.Entry pageEntry(SearchResponse shards, List<Recommendation> page) {
        long took = (System.nanoTime() - start) / 1_000_000;
        if (shards == null) {
            return new RecommendResponse.Entry(took, false, 0, 0, 0, 0, page, null);
        }
        return new RecommendResponse.Entry(took, shards.isTimedOut(), shards.getTotalShards(), shards.getSuccessfulShards(),
            shards.getSkippedShards(), shards.getFailedShards(), List.copyOf(page), null);
    }

    private boolean capsOn() {
        return spec.diversity() != null && spec.diversity().mmrLambda() == null;
    }
}
