package org.recsys.recommend.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recall of the approximate paths against exact references, per kind of user (random vector, mean of history): the
 * blended ranking against the plugin's exact blend, the collaborative rankings against the benchmark's own brute force,
 * and the plugin's exact collaborative path against that brute force as a cross-check of the oracle itself.
 */
final class RecallCheck {

    static final int DEPTH = 100;

    /** Mean recall per measure over the users of one kind. */
    record Result(String kind, int users, Map<String, Double> recall) {}

    private RecallCheck() {}

    static List<Result> run(BenchHttp http, BruteForce bruteForce, List<QueryBodies> users) {
        Map<String, Map<String, List<Double>>> byKind = new LinkedHashMap<>();
        for (QueryBodies q : users) {
            SyntheticCatalogue.User user = q.user();
            List<String> exactBlend = search(http, q.recommendBlended(DEPTH, true));
            List<String> brute = new ArrayList<>();
            for (int item : bruteForce.topK(user.vector(), user.history(), DEPTH)) {
                brute.add(SyntheticCatalogue.id(item));
            }
            Map<String, List<Double>> m = byKind.computeIfAbsent(user.kind(), k -> new LinkedHashMap<>());
            add(m, "recommend 3 signals (default num_candidates 500) vs exact blend, @100",
                recall(search(http, q.recommendBlended(DEPTH, false)), exactBlend, DEPTH));
            add(m, "recommend 3 signals, num_candidates 2000 vs exact blend, @100",
                recall(search(http, q.recommendBlended(DEPTH, 2000)), exactBlend, DEPTH));
            add(m, "recommend 3 signals vs exact blend, @10", recall(search(http, q.recommendBlended(Variant.TOP, false)), exactBlend,
                Variant.TOP));
            add(m, "stock knn + more_like_this merged vs exact blend, @10",
                recall(Variant.merge(http.search(CatalogueLoader.INDEX, q.stockKnn(Variant.TOP, 100)),
                    http.search(CatalogueLoader.INDEX, q.stockContent(Variant.TOP)), Variant.TOP), exactBlend, Variant.TOP));
            add(m, "cross-check: plugin exact collaborative vs brute force, @100",
                recall(search(http, q.recommendCollaborative(DEPTH, 0, true)), brute, DEPTH));
            add(m, "recommend collaborative (num_candidates 500) vs brute force, @100",
                recall(search(http, q.recommendCollaborative(DEPTH, 0, false)), brute, DEPTH));
            add(m, "recommend collaborative (num_candidates 2000) vs brute force, @100",
                recall(search(http, q.recommendCollaborative(DEPTH, 2000, false)), brute, DEPTH));
            add(m, "recommend collaborative (num_candidates 100) vs brute force, @10",
                recall(search(http, q.recommendCollaborative(Variant.TOP, 100, false)), brute, Variant.TOP));
            add(m, "stock knn k 10, num_candidates 100 vs brute force, @10",
                recall(search(http, q.stockKnn(Variant.TOP, 100)), brute, Variant.TOP));
        }
        List<Result> results = new ArrayList<>();
        byKind.forEach((kind, measures) -> {
            Map<String, Double> means = new LinkedHashMap<>();
            measures.forEach((name, values) -> means.put(name, values.stream().mapToDouble(Double::doubleValue).average().orElse(0)));
            results.add(new Result(kind, measures.values().iterator().next().size(), means));
        });
        return results;
    }

    private static List<String> search(BenchHttp http, String body) {
        return Variant.ids(http.search(CatalogueLoader.INDEX, body));
    }

    private static void add(Map<String, List<Double>> measures, String name, double value) {
        measures.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    /** |approximate ∩ exact top k| / k, the exact list cut to k. */
    static double recall(List<String> approximate, List<String> exact, int k) {
        Set<String> truth = new HashSet<>(exact.subList(0, Math.min(k, exact.size())));
        if (truth.isEmpty()) {
            return 1;
        }
        long found = approximate.stream().limit(k).filter(truth::contains).count();
        return (double) found / truth.size();
    }
}
