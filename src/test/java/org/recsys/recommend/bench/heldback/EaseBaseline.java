package org.recsys.recommend.bench.heldback;

import org.recsys.recommend.math.RankingMetrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Popularity and EASE^R on a P1-style split folder ({@code train.tsv}, {@code test.tsv}), with BASELINES.md's metrics at K = 10.
 * EASE is the dense closed form B = I - P diag(1/diag(P)), P = (XᵀX + λI)⁻¹ over the binary train matrix, score = x_u B, the
 * user's train items excluded. λ is chosen by nDCG@10 on a validation split carved from train (20 % of each user's train items,
 * {@code Random(7)}, same rounding as the split), then the model is refit on all of train and scored once on test. With more than
 * 8,000 train items, EASE keeps the 8,000 most popular ones as its feature and candidate set (popularity ranks all items).
 * Extra arguments are λ values scored directly on test instead (the P1 anchor: λ = 200 gives nDCG@10 ≈ 0.3188 on ml-100k).
 *
 * <pre>
 * java -cp ... org.recsys.recommend.bench.heldback.EaseBaseline /tmp/heldback/ml-1m [λ ...]
 * </pre>
 */
public final class EaseBaseline {

    private static final int K = 10;
    private static final double[] LAMBDAS = { 50, 100, 200, 400, 800, 1600 };
    private static final int MAX_ITEMS = 8000;

    private EaseBaseline() {}

    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args[0]);
        Map<String, List<String>> train = read(folder.resolve("train.tsv"));
        Map<String, List<String>> test = read(folder.resolve("test.tsv"));
        System.out.printf(Locale.ROOT, "%s: %d train users, %d test users, %d train / %d test interactions, %d train items%n", folder,
            train.size(), test.size(), count(train), count(test), byPopularity(train).size());
        long start = System.nanoTime();
        List<String> popular = byPopularity(train);
        print("popularity", evaluate(test, train, user -> {
            Set<String> seen = new HashSet<>(train.getOrDefault(user, List.of()));
            return popular.stream().filter(item -> seen.contains(item) == false).limit(K).toList();
        }), start);

        double[] lambdas = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToDouble(Double::parseDouble).toArray() : null;
        if (lambdas == null) {
            Map<String, List<String>> fit = new LinkedHashMap<>();
            Map<String, List<String>> validation = new LinkedHashMap<>();
            Random random = new Random(7);
            for (Map.Entry<String, List<String>> user : train.entrySet()) {
                List<String> items = new ArrayList<>(user.getValue());
                int held = items.size() >= 2 ? (int) Math.max(1, Math.min(items.size() - 1, Math.round(0.2 * items.size()))) : 0;
                if (held > 0) {
                    Collections.shuffle(items, random);
                    validation.put(user.getKey(), items.subList(0, held));
                }
                fit.put(user.getKey(), items.subList(held, items.size()));
            }
            double best = Double.NaN;
            double bestNdcg = -1;
            for (double lambda : LAMBDAS) {
                long t = System.nanoTime();
                Ease ease = new Ease(fit, lambda);
                RankingMetrics metrics = evaluate(validation, fit, user -> ease.recommend(fit.get(user)));
                print(String.format(Locale.ROOT, "validation EASE lambda %.0f (%d items)", lambda, ease.ids.length), metrics, t);
                if (metrics.ndcg() > bestNdcg) {
                    bestNdcg = metrics.ndcg();
                    best = lambda;
                }
            }
            lambdas = new double[] { best };
        }
        for (double lambda : lambdas) {
            long t = System.nanoTime();
            Ease ease = new Ease(train, lambda);
            String name = String.format(Locale.ROOT, "test EASE lambda %.0f (%d items%s)", lambda, ease.ids.length,
                ease.ids.length == MAX_ITEMS ? ", capped to the most popular" : "");
            print(name, evaluate(test, train, user -> ease.recommend(train.getOrDefault(user, List.of()))), t);
        }
        System.out.printf(Locale.ROOT, "total %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    /** EASE^R over the (at most MAX_ITEMS) most popular items of the given interactions. */
    static final class Ease {
        final String[] ids;
        final Map<String, Integer> index = new HashMap<>();
        final double[][] b;

        Ease(Map<String, List<String>> interactions, double lambda) {
            List<String> popular = byPopularity(interactions);
            ids = popular.subList(0, Math.min(MAX_ITEMS, popular.size())).toArray(String[]::new);
            for (int i = 0; i < ids.length; i++) {
                index.put(ids[i], i);
            }
            int n = ids.length;
            b = new double[n][n];
            for (List<String> items : interactions.values()) {
                int[] x = items.stream().filter(index::containsKey).mapToInt(index::get).toArray();
                for (int i : x) {
                    for (int j : x) {
                        b[i][j] += 1;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                b[i][i] += lambda;
            }
            SpdInverse.invert(b);
            double[] diagonal = new double[n];
            for (int i = 0; i < n; i++) {
                diagonal[i] = b[i][i];
            }
            IntStream.range(0, n).parallel().forEach(i -> {
                for (int j = 0; j < n; j++) {
                    b[i][j] = i == j ? 0 : -b[i][j] / diagonal[j];
                }
            });
        }

        /** The top K of x_u B among items not in the history; ties go to the more popular item. */
        List<String> recommend(List<String> history) {
            double[] scores = new double[ids.length];
            boolean[] seen = new boolean[ids.length];
            for (String item : history) {
                Integer i = index.get(item);
                if (i != null) {
                    seen[i] = true;
                    double[] row = b[i];
                    for (int j = 0; j < scores.length; j++) {
                        scores[j] += row[j];
                    }
                }
            }
            int[] top = new int[K];
            int size = 0;
            for (int j = 0; j < scores.length; j++) {
                if (seen[j] || (size == K && scores[j] <= scores[top[K - 1]])) {
                    continue;
                }
                int at = size == K ? K - 1 : size++;
                while (at > 0 && scores[top[at - 1]] < scores[j]) {
                    top[at] = top[at - 1];
                    at--;
                }
                top[at] = j;
            }
            return Arrays.stream(top, 0, size).mapToObj(j -> ids[j]).toList();
        }
    }

    interface Recommender {
        List<String> recommend(String user);
    }

    static RankingMetrics evaluate(Map<String, List<String>> heldOut, Map<String, List<String>> history, Recommender recommender) {
        List<String> users = new ArrayList<>(heldOut.keySet());
        List<List<String>> rankings = users.parallelStream().map(recommender::recommend).toList();
        RankingMetrics metrics = new RankingMetrics(K);
        for (int u = 0; u < users.size(); u++) {
            metrics.add(rankings.get(u), new HashSet<>(heldOut.get(users.get(u))));
        }
        return metrics;
    }

    /** Items by number of users, ties by id (numerically when both ids are numbers). */
    static List<String> byPopularity(Map<String, List<String>> interactions) {
        Map<String, Integer> counts = new HashMap<>();
        interactions.values().forEach(items -> items.forEach(item -> counts.merge(item, 1, Integer::sum)));
        Comparator<String> byId = (x, y) -> x.matches("\\d+") && y.matches("\\d+")
            ? Long.compare(Long.parseLong(x), Long.parseLong(y))
            : x.compareTo(y);
        return counts.keySet().stream().sorted(Comparator.comparing((String item) -> -counts.get(item)).thenComparing(byId)).toList();
    }

    static Map<String, List<String>> read(Path file) throws IOException {
        Map<String, List<String>> interactions = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t");
            if (f.length >= 2) {
                interactions.computeIfAbsent(f[0], u -> new ArrayList<>()).add(f[1]);
            }
        }
        return interactions;
    }

    static long count(Map<String, List<String>> interactions) {
        return interactions.values().stream().mapToLong(List::size).sum();
    }

    static void print(String name, RankingMetrics m, long startNanos) {
        String format = "%-56s P@10 %.4f  R@10 %.4f  nDCG@10 %.4f  MAP@10 %.4f  HR@10 %.4f  coverage %5d  users %5d  %.1f s%n";
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf(Locale.ROOT, format, name, m.precision(), m.recall(), m.ndcg(), m.map(), m.hitRate(), m.coverage(), m.users(),
            seconds);
    }
}
