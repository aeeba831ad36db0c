package org.recsys.recommend.bench;

import com.fasterxml.jackson.databind.JsonNode;

import org.recsys.recommend.bench.QueryBodies.Signal;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One way of answering "top 10 for this user": the request bodies it sends (built before timing) and how it turns the
 * answers into a ranked list of ids, client-side merging included, so its latency is end to end.
 */
record Variant(String name, Function<QueryBodies, String[]> bodies, Kind kind) {

    /** How the bodies are sent. */
    enum Kind {
        /** One {@code _search}. */
        SEARCH,
        /** Two {@code _search} requests, one after the other, merged in the client. */
        TWO_SEARCHES_MERGED,
        /** One {@code _msearch} with two searches, merged in the client. */
        MSEARCH_MERGED
    }

    static final int TOP = 10;

    /** The variants timed against each other. */
    static List<Variant> timed() {
        return List.of(
            new Variant("recommend: 3 signals (collaborative, neighbors, content)", q -> one(q.recommendBlended(TOP, false)),
                Kind.SEARCH),
            new Variant("stock: knn + more_like_this, 2 requests, client merge", q -> two(q), Kind.TWO_SEARCHES_MERGED),
            new Variant("stock: knn + more_like_this in one _msearch, client merge", q -> one(q.stockMsearch(TOP, 100)),
                Kind.MSEARCH_MERGED),
            new Variant("recommend: collaborative only, num_candidates 100", q -> one(q.recommendCollaborative(TOP, 100, false)),
                Kind.SEARCH),
            new Variant("stock: knn k 10, num_candidates 100", q -> one(q.stockKnn(TOP, 100)), Kind.SEARCH)
        );
    }

    /**
     * The blend and its stock peer on users whose histories the node has not seen before (each timed once): what the plugin
     * pays when no history item's text is in its cache (the main rounds cycle through the same users).
     */
    static List<Variant> firstSight() {
        return timed().subList(0, 2);
    }

    /** The plugin's full scans. */
    static List<Variant> exact() {
        return List.of(
            new Variant("recommend exact: collaborative only (full scan)", q -> one(q.recommendCollaborative(TOP, 0, true)), Kind.SEARCH),
            new Variant("recommend exact: 3 signals (full scan)", q -> one(q.recommendBlended(TOP, true)), Kind.SEARCH)
        );
    }

    /** Where the blend's time goes: the plugin with one or two of its signals, and the lookup its content signal needs. */
    static List<Variant> breakdown() {
        return List.of(
            new Variant("recommend: collaborative only, default num_candidates 500",
                q -> one(q.recommend(TOP, EnumSet.of(Signal.COLLABORATIVE), false)), Kind.SEARCH),
            new Variant("recommend: neighbors only", q -> one(q.recommend(TOP, EnumSet.of(Signal.NEIGHBORS), false)), Kind.SEARCH),
            new Variant("recommend: content only (includes the title lookup)",
                q -> one(q.recommend(TOP, EnumSet.of(Signal.CONTENT), false)), Kind.SEARCH),
            new Variant("recommend: collaborative + neighbors (no content, no lookup)",
                q -> one(q.recommend(TOP, EnumSet.of(Signal.COLLABORATIVE, Signal.NEIGHBORS), false)), Kind.SEARCH),
            new Variant("stock: the 50 history titles by an ids query (the plugin's lookup)", q -> one(q.historyTitles()), Kind.SEARCH),
            new Variant("stock: more_like_this alone", q -> one(q.stockContent(TOP)), Kind.SEARCH)
        );
    }

    /** Sends prepared bodies and returns the ranked ids. */
    List<String> run(BenchHttp http, String[] prepared) {
        return switch (kind) {
            case SEARCH -> ids(http.search(CatalogueLoader.INDEX, prepared[0]));
            case TWO_SEARCHES_MERGED -> merge(
                http.search(CatalogueLoader.INDEX, prepared[0]),
                http.search(CatalogueLoader.INDEX, prepared[1]),
                TOP
            );
            case MSEARCH_MERGED -> {
                JsonNode responses = http.ndjson("/" + CatalogueLoader.INDEX + "/_msearch", prepared[0], BenchHttp.QUERY_TIMEOUT)
                    .path("responses");
                for (JsonNode response : responses) {
                    if (response.has("error")) {
                        throw new IllegalStateException("_msearch item failed: " + response.path("error"));
                    }
                }
                yield merge(responses.get(0), responses.get(1), TOP);
            }
        };
    }

    static List<String> ids(JsonNode response) {
        List<String> ids = new ArrayList<>();
        for (JsonNode hit : response.path("hits").path("hits")) {
            ids.add(hit.path("_id").asText());
        }
        return ids;
    }

    /**
     * What a client does without the paid linear retriever: each list's scores divided by its best score, summed per id,
     * best {@code size} kept (ties by id).
     */
    static List<String> merge(JsonNode first, JsonNode second, int size) {
        Map<String, Double> scores = new HashMap<>();
        for (JsonNode response : List.of(first, second)) {
            JsonNode hits = response.path("hits").path("hits");
            double max = hits.isEmpty() ? 1 : Math.max(1e-9, hits.get(0).path("_score").asDouble());
            for (JsonNode hit : hits) {
                scores.merge(hit.path("_id").asText(), hit.path("_score").asDouble() / max, Double::sum);
            }
        }
        return scores.entrySet()
            .stream()
            .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
            .limit(size)
            .map(Map.Entry::getKey)
            .toList();
    }

    private static String[] one(String body) {
        return new String[] { body };
    }

    private static String[] two(QueryBodies q) {
        return new String[] { q.stockKnn(TOP, 100), q.stockContent(TOP) };
    }
}
