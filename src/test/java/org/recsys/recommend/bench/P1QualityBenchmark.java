package org.recsys.recommend.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.DoubleFunction;

/**
 * Protocol P1 of BASELINES.md, measured the way the protocol asks: hyper-parameters and blend weights are chosen on a
 * validation split carved from P1's train file (20 % of each user's train positives, seeded), the model is then
 * retrained on the whole train file, and the test file is evaluated once with the chosen settings. Everything runs in a
 * real node through {@code _train} and {@code _evaluate}, i.e. through the real recommend query.
 *
 * <pre>
 * java -cp ... org.recsys.recommend.bench.P1QualityBenchmark [--data ../shared/datasets/ml-100k]
 * </pre>
 */
public final class P1QualityBenchmark {

    static final String SPLIT = "splits/implicit-r4-80-20-seed42";
    private static final int DIMS = 64;
    private static final int ITERATIONS = 15;
    private static final int NEIGHBORS_K = 100;
    private static final double[] LAMBDAS = { 10, 30, 60, 100 };
    private static final double[] ALPHAS = { 5, 10, 20 };
    private static final double[] NEIGHBOR_WEIGHTS = { 0, 0.05, 0.1, 0.2, 0.4 };
    private static final double[] CONTENT_WEIGHTS = { 0, 0.02, 0.05 };
    private static final int EASE_K = 500;
    private static final double[] EASE_LAMBDAS = { 100, 200, 400 };
    private static final double[] EASE_WEIGHTS = { 0.25, 0.5, 1, 2, 4 };
    private static final int SLIM_K = 500; // more than any item's positive SLIM weights on P1: the lists are the whole model
    private static final double[] SLIM_LAMBDAS = { 50, 100, 200 };
    private static final double[] SLIM_WEIGHTS = { 0.5, 1, 2 };
    /** Popularity's weight relative to the most popular item's (linear normalization: the raw number of users). */
    private static final double[] POPULARITY_SHARES = { 0, 0.05, 0.1 };

    private P1QualityBenchmark() {}

    public static void main(String[] args) throws IOException {
        Path data = dataFolder(args);
        List<String[]> train = read(data.resolve(SPLIT).resolve("train.tsv"));
        List<String[]> test = read(data.resolve(SPLIT).resolve("test.tsv"));
        List<List<String[]>> carved = carveValidation(train, new Random(7), 0.2);
        System.out.printf(Locale.ROOT, "P1: %d train, %d test; validation carved from train: %d fit, %d validation%n",
            train.size(), test.size(), carved.get(0).size(), carved.get(1).size());
        try (RealNode node = RealNode.start(NodeSpec.insecure().withHeap("2g"))) {
            JsonHttp http = node.http();
            loadItems(http, data);
            loadEvents(http, "p1_fit", carved.get(0));
            loadEvents(http, "p1_validation", carved.get(1));
            loadEvents(http, "p1_train", train);
            loadEvents(http, "p1_test", test);

            // the first _train of a fresh node runs with a cold JIT, as a user's first training does; the final one is warm
            JsonNode cold = train(http, "p1_train", 60, 10);
            System.out.printf(Locale.ROOT, "%nfirst training on the fresh node (whole train file): %d ms (phases %s)%n",
                cold.path("took").asLong(), cold.path("phases_ms"));
            if (List.of(args).contains("--training-time-only")) {
                // the training time alone, as SparkAlsFit times Spark's: the first (cold) fit and two more in the same process
                // (docs/benchmarks-training.md, "Training time"; ./run bench-training alternates the two programs)
                for (int n = 2; n <= 3; n++) {
                    JsonNode warm = train(http, "p1_train", 60, 10);
                    System.out.printf(Locale.ROOT, "training %d on the same node: %d ms (phases %s)%n", n, warm.path("took").asLong(),
                        warm.path("phases_ms"));
                }
                return;
            }

            System.out.println("\n## Validation: ALS hyper-parameters (collaborative signal alone), trained on fit, scored on validation");
            double bestNdcg = -1;
            double bestLambda = 0;
            double bestAlpha = 0;
            for (double lambda : LAMBDAS) {
                for (double alpha : ALPHAS) {
                    train(http, "p1_fit", lambda, alpha);
                    JsonNode m = evaluate(http, "p1_validation", Map.of("als", "{\"signals\":{\"collaborative\":{}}}")).path("als");
                    System.out.printf(Locale.ROOT, "lambda %6.1f alpha %5.1f  nDCG@10 %.4f%n", lambda, alpha, m.path("ndcg").asDouble());
                    if (m.path("ndcg").asDouble() > bestNdcg) {
                        bestNdcg = m.path("ndcg").asDouble();
                        bestLambda = lambda;
                        bestAlpha = alpha;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "chosen: lambda %.1f alpha %.1f (validation nDCG@10 %.4f)%n", bestLambda, bestAlpha, bestNdcg);

            System.out.println("\n## Validation: blend weights (collaborative 1, neighbors linear, content saturation)");
            train(http, "p1_fit", bestLambda, bestAlpha);
            Map<String, String> blends = new LinkedHashMap<>();
            for (double n : NEIGHBOR_WEIGHTS) {
                for (double c : CONTENT_WEIGHTS) {
                    blends.put(String.format(Locale.ROOT, "n%.2f_c%.2f", n, c), blend(n, c));
                }
            }
            JsonNode blendMetrics = evaluate(http, "p1_validation", blends);
            String bestBlend = null;
            double bestBlendNdcg = -1;
            for (Map.Entry<String, String> b : blends.entrySet()) {
                double ndcg = blendMetrics.path(b.getKey()).path("ndcg").asDouble();
                System.out.printf(Locale.ROOT, "%-14s nDCG@10 %.4f%n", b.getKey(), ndcg);
                if (ndcg > bestBlendNdcg) {
                    bestBlendNdcg = ndcg;
                    bestBlend = b.getKey();
                }
            }
            System.out.printf(Locale.ROOT, "chosen blend: %s (validation nDCG@10 %.4f)%n", bestBlend, bestBlendNdcg);

            System.out.println("\n## Validation: EASE neighbors (neighbors.similarity ease), alone and blended with ALS 1");
            Map<String, String> easeBlends = new LinkedHashMap<>();
            easeBlends.put("ease_alone", NEIGHBORS_ALONE);
            for (double w : EASE_WEIGHTS) {
                easeBlends.put(String.format(Locale.ROOT, "als+ease%.2f", w), blend(w, 0));
            }
            FamilyChoice ease = chooseOnValidation(http, "ease", EASE_LAMBDAS, P1QualityBenchmark::easeNeighbors, easeBlends,
                bestLambda, bestAlpha);

            System.out.println("\n## Validation: SLIM neighbors (neighbors.similarity slim), alone and blended with ALS 1 and popularity");
            Map<String, double[]> slimWeights = new LinkedHashMap<>();
            slimWeights.put("slim_alone", null);
            for (double w : SLIM_WEIGHTS) {
                for (double pop : POPULARITY_SHARES) {
                    slimWeights.put(String.format(Locale.ROOT, "als+slim%.2f+pop%.2f", w, pop), new double[] { w, pop });
                }
            }
            FamilyChoice slim = chooseOnValidation(http, "slim", SLIM_LAMBDAS, P1QualityBenchmark::slimNeighbors,
                slimConfigs(slimWeights, mostPopular(carved.get(0))), bestLambda, bestAlpha);
            boolean slimChosen = slim.ndcg() > Math.max(ease.ndcg(), bestBlendNdcg);
            boolean easeChosen = slimChosen == false && ease.ndcg() > bestBlendNdcg;
            System.out.printf(Locale.ROOT, "chosen for the test: %s%n",
                slimChosen ? "the SLIM blend" : easeChosen ? "the EASE blend" : "the item-kNN blend");

            System.out.println("\n## Test, once: trained on the whole train file with the chosen settings");
            JsonNode trained = train(http, "p1_train", bestLambda, bestAlpha);
            System.out.printf(Locale.ROOT, "training took %d ms on the warm node (phases %s); Spark MLlib's fit here: 13,900 ms%n",
                trained.path("took").asLong(), trained.path("phases_ms"));
            Map<String, String> configs = new LinkedHashMap<>();
            configs.put("popularity", "{\"signals\":{\"popularity\":{\"weight\":1,\"normalization\":\"linear\"}}}");
            configs.put("neighbors (item-kNN)", NEIGHBORS_ALONE);
            configs.put("als", "{\"signals\":{\"collaborative\":{}}}");
            if (easeChosen == false && slimChosen == false) {
                configs.put("blend (" + bestBlend + ")", blends.get(bestBlend));
            }
            configs.put("query defaults", "{}");
            JsonNode results = evaluate(http, "p1_test", configs);
            printTable(configs, results);
            if (easeChosen) {
                JsonNode easeTrained = train(http, "p1_train", bestLambda, bestAlpha, easeNeighbors(ease.lambda()), "");
                System.out.printf(Locale.ROOT, "%ntraining with EASE neighbors (lambda %.0f) took %d ms (phases %s)%n", ease.lambda(),
                    easeTrained.path("took").asLong(), easeTrained.path("phases_ms"));
                Map<String, String> easeConfigs = new LinkedHashMap<>();
                easeConfigs.put(String.format(Locale.ROOT, "neighbors (EASE, lambda %.0f)", ease.lambda()), NEIGHBORS_ALONE);
                easeConfigs.put("blend (" + ease.blend() + ")", easeBlends.get(ease.blend()));
                printTable(easeConfigs, evaluate(http, "p1_test", easeConfigs));
            }
            if (slimChosen) {
                JsonNode slimTrained = train(http, "p1_train", bestLambda, bestAlpha, slimNeighbors(slim.lambda()), "");
                System.out.printf(Locale.ROOT, "%ntraining with SLIM neighbors (lambda %.0f) took %d ms (phases %s)%n", slim.lambda(),
                    slimTrained.path("took").asLong(), slimTrained.path("phases_ms"));
                Map<String, double[]> chosen = new LinkedHashMap<>();
                chosen.put("slim_alone", null);
                chosen.put(slim.blend(), slimWeights.get(slim.blend()));
                Map<String, String> slimConfigs = slimConfigs(chosen, mostPopular(train));
                printTable(slimConfigs, evaluate(http, "p1_test", slimConfigs));
                System.out.println("(" + slim.blend() + ": " + slimConfigs.get(slim.blend()) + ")");
                // what a user does with the result: the chosen blend becomes the model's default signals, so a recommend
                // query or _evaluate config that names no signals gets it
                String chosenBlend = slimConfigs.get(slim.blend());
                String signals = chosenBlend.substring("{\"signals\":".length(), chosenBlend.length() - 1);
                putModel(http, bestLambda, bestAlpha, ",\"signals\":" + signals);
                String name = "the model's defaults, set to " + slim.blend();
                Map<String, String> defaults = Map.of(name, "{}");
                JsonNode asDefaults = evaluate(http, "p1_test", defaults);
                printTable(defaults, asDefaults);
                double chosenNdcg = evaluate(http, "p1_test", Map.of(slim.blend(), chosenBlend)).path(slim.blend()).path("ndcg")
                    .asDouble();
                if (asDefaults.path(name).path("ndcg").asDouble() != chosenNdcg) {
                    throw new IllegalStateException("the model's default signals do not reproduce the chosen blend: " + asDefaults);
                }
            }
        }
    }

    private static final String NEIGHBORS_ALONE = "{\"signals\":{\"neighbors\":{\"weight\":1,\"normalization\":\"linear\"}}}";

    /** The _train body's neighbors section for EASE (instead of the default item-kNN one). */
    private static String easeNeighbors(double lambda) {
        return String.format(Locale.ROOT, "{\"k\":%d,\"similarity\":\"ease\",\"lambda\":%s}", EASE_K, lambda);
    }

    /** A neighbor family's best blend on validation: its λ, the blend's name and its nDCG@10. */
    private record FamilyChoice(double lambda, String blend, double ndcg) {}

    /**
     * Trains on the fit split with each of a neighbor family's λ ({@code neighbors} gives the _train section), scores
     * {@code configs} on validation and returns the best blend (the family's {@code *_alone} config is printed, not chosen).
     */
    private static FamilyChoice chooseOnValidation(JsonHttp http, String family, double[] lambdas, DoubleFunction<String> neighbors,
        Map<String, String> configs, double alsLambda, double alsAlpha) {
        FamilyChoice best = new FamilyChoice(0, null, -1);
        for (double lambda : lambdas) {
            JsonNode trained = train(http, "p1_fit", alsLambda, alsAlpha, neighbors.apply(lambda), "");
            System.out.printf(Locale.ROOT, "%s lambda %5.0f: training took %d ms (phases %s)%n", family, lambda,
                trained.path("took").asLong(), trained.path("phases_ms"));
            JsonNode metrics = evaluate(http, "p1_validation", configs);
            for (String name : configs.keySet()) {
                double ndcg = metrics.path(name).path("ndcg").asDouble();
                System.out.printf(Locale.ROOT, "%s lambda %5.0f %-22s nDCG@10 %.4f%n", family, lambda, name, ndcg);
                if (name.endsWith("_alone") == false && ndcg > best.ndcg()) {
                    best = new FamilyChoice(lambda, name, ndcg);
                }
            }
        }
        System.out.printf(Locale.ROOT, "best %s blend: %s with lambda %.0f (validation nDCG@10 %.4f)%n", family, best.blend(),
            best.lambda(), best.ndcg());
        return best;
    }

    /** The _train body's neighbors section for SLIM. */
    private static String slimNeighbors(double lambda) {
        return String.format(Locale.ROOT, "{\"k\":%d,\"similarity\":\"slim\",\"lambda\":%s}", SLIM_K, lambda);
    }

    /** Named configs: null weights = neighbors alone; else { neighbors weight, popularity share of the most popular item }. */
    private static Map<String, String> slimConfigs(Map<String, double[]> weights, double mostPopular) {
        Map<String, String> configs = new LinkedHashMap<>();
        weights.forEach((name, w) -> {
            if (w == null) {
                configs.put(name, NEIGHBORS_ALONE);
                return;
            }
            String blend = blend(w[0], 0);
            if (w[1] > 0) {
                blend = blend.substring(0, blend.length() - 2) + String.format(Locale.ROOT,
                    ",\"popularity\":{\"weight\":%s,\"normalization\":\"linear\"}}}", w[1] / mostPopular);
            }
            configs.put(name, blend);
        });
        return configs;
    }

    /** The number of distinct users of the most popular item: the items' {@code popularity} a training writes. */
    private static double mostPopular(List<String[]> events) {
        Map<String, Set<String>> users = new HashMap<>();
        for (String[] e : events) {
            users.computeIfAbsent(e[1], i -> new HashSet<>()).add(e[0]);
        }
        return users.values().stream().mapToInt(Set::size).max().orElse(1);
    }

    private static void printTable(Map<String, String> configs, JsonNode results) {
        System.out.println("| config | P@10 | R@10 | nDCG@10 | MAP@10 | HR@10 | coverage |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String name : configs.keySet()) {
            JsonNode m = results.path(name);
            System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %d |%n", name, m.path("precision").asDouble(),
                m.path("recall").asDouble(), m.path("ndcg").asDouble(), m.path("map").asDouble(), m.path("hit_rate").asDouble(),
                m.path("coverage").asInt());
        }
    }

    /** {@code --data DIR}, or the team's shared copy beside the checkout: datasets are read at run time, never committed. */
    static Path dataFolder(String[] args) {
        return args.length >= 2 && args[0].equals("--data") ? Path.of(args[1]) : Path.of("..", "shared", "datasets", "ml-100k");
    }

    private static String blend(double neighbors, double content) {
        StringBuilder signals = new StringBuilder("{\"signals\":{\"collaborative\":{\"weight\":1}");
        if (neighbors > 0) {
            signals.append(String.format(Locale.ROOT, ",\"neighbors\":{\"weight\":%s,\"normalization\":\"linear\"}", neighbors));
        }
        if (content > 0) {
            signals.append(String.format(Locale.ROOT, ",\"content\":{\"fields\":[\"title\",\"genres\"],\"weight\":%s}", content));
        }
        return signals.append("}}").toString();
    }

    static JsonNode train(JsonHttp http, String events, double lambda, double alpha) {
        return train(http, events, lambda, alpha, "");
    }

    /** Trains model p1; {@code extra} is appended to the _train body (e.g. a content section). */
    static JsonNode train(JsonHttp http, String events, double lambda, double alpha, String extra) {
        return train(http, events, lambda, alpha, String.format(Locale.ROOT, "{\"k\":%d}", NEIGHBORS_K), extra);
    }

    /** Trains model p1 with the given _train {@code neighbors} section. */
    static JsonNode train(JsonHttp http, String events, double lambda, double alpha, String neighbors, String extra) {
        putModel(http, lambda, alpha, "");
        return ok(http.post("/_recommend/model/p1/_train", String.format(Locale.ROOT, "{\"events\":{\"index\":\"%s\"},\"als\":{"
            + "\"factors\":%d,\"iterations\":%d,\"lambda\":%s,\"alpha\":%s,\"seed\":42},\"neighbors\":%s%s}", events, DIMS,
            ITERATIONS, lambda, alpha, neighbors, extra))).json();
    }

    /** Creates or replaces model p1 (a trained state carries over); {@code extra} is appended to the body, e.g. its signals. */
    static void putModel(JsonHttp http, double lambda, double alpha, String extra) {
        ok(http.put("/_recommend/model/p1", String.format(Locale.ROOT, "{\"items\":{\"index\":\"p1_items\",\"content\":[\"title\","
            + "\"genres\"]},\"users\":{\"index\":\"p1_users\",\"max_history\":10000},\"factors\":{\"dims\":%d,\"lambda\":%s,"
            + "\"alpha\":%s}%s}", DIMS, lambda, alpha, extra)));
    }

    /** Evaluates the configs three at a time, so that no request nears the client's 60 s timeout on a busy machine. */
    static JsonNode evaluate(JsonHttp http, String heldOut, Map<String, String> configs) {
        ObjectNode all = JsonHttp.MAPPER.createObjectNode();
        List<Map.Entry<String, String>> entries = new ArrayList<>(configs.entrySet());
        for (int from = 0; from < entries.size(); from += 3) {
            StringBuilder body = new StringBuilder("{\"test\":{\"index\":\"" + heldOut + "\"},\"k\":10,\"configs\":{");
            for (int i = from; i < Math.min(entries.size(), from + 3); i++) {
                Map.Entry<String, String> c = entries.get(i);
                body.append(i > from ? "," : "").append('"').append(c.getKey()).append("\":").append(c.getValue());
            }
            JsonNode out = ok(http.post("/_recommend/model/p1/_evaluate", body.append("}}").toString())).json().path("configs");
            out.fields().forEachRemaining(m -> {
                if (m.getValue().path("failed_users").asInt() > 0) {
                    throw new IllegalStateException("users failed in evaluation: " + m);
                }
                all.set(m.getKey(), m.getValue());
            });
        }
        return all;
    }

    /** Per user, a seeded {@code share} of the train positives goes to validation (users with fewer than 5 keep all). */
    static List<List<String[]>> carveValidation(List<String[]> train, Random random, double share) {
        Map<String, List<String[]>> byUser = new LinkedHashMap<>();
        train.forEach(row -> byUser.computeIfAbsent(row[0], u -> new ArrayList<>()).add(row));
        List<String[]> fit = new ArrayList<>();
        List<String[]> validation = new ArrayList<>();
        for (List<String[]> rows : byUser.values()) {
            List<String[]> shuffled = new ArrayList<>(rows);
            Collections.shuffle(shuffled, random);
            int held = shuffled.size() < 5 ? 0 : (int) Math.round(shuffled.size() * share);
            validation.addAll(shuffled.subList(0, held));
            fit.addAll(shuffled.subList(held, shuffled.size()));
        }
        return List.of(fit, validation);
    }

    static List<String[]> read(Path tsv) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            if (line.isBlank() == false) {
                rows.add(line.trim().split("\\s+"));
            }
        }
        return rows;
    }

    static void loadItems(JsonHttp http, Path data) throws IOException {
        ok(http.put("/p1_items", "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},\"mappings\":{\"properties\":{"
            + "\"factors\":{\"type\":\"dense_vector\",\"dims\":" + DIMS + ",\"similarity\":\"max_inner_product\"},"
            + "\"neighbors\":{\"type\":\"sparse_vector\"},\"title\":{\"type\":\"text\"},\"genres\":{\"type\":\"keyword\"},"
            + "\"popularity\":{\"type\":\"float\"}}}}"));
        ok(http.put("/p1_users", "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},\"mappings\":{\"properties\":{"
            + "\"factors\":{\"type\":\"dense_vector\",\"dims\":" + DIMS + ",\"index\":false},"
            + "\"history\":{\"type\":\"object\",\"enabled\":false}}}}"));
        bulkOk(http, itemsBulk(data, "p1_items"));
    }

    /** ml-100k's {@code u.item} as a bulk body of items {title, genres}; {@code index} names the index in each action. */
    static String itemsBulk(Path data, String index) throws IOException {
        List<String> genres = new ArrayList<>();
        for (String line : Files.readAllLines(data.resolve("u.genre"), StandardCharsets.ISO_8859_1)) {
            if (line.isBlank() == false) {
                genres.add(line.split("\\|")[0]);
            }
        }
        StringBuilder bulk = new StringBuilder();
        for (String line : Files.readAllLines(data.resolve("u.item"), StandardCharsets.ISO_8859_1)) {
            String[] p = line.split("\\|", -1);
            List<String> itemGenres = new ArrayList<>();
            for (int g = 0; g < genres.size() && 5 + g < p.length; g++) {
                if (p[5 + g].equals("1")) {
                    itemGenres.add(genres.get(g));
                }
            }
            bulk.append("{\"index\":{\"_index\":\"").append(index).append("\",\"_id\":\"").append(p[0]).append("\"}}\n");
            bulk.append(JsonHttp.MAPPER.writeValueAsString(Map.of("title", p[1], "genres", itemGenres))).append('\n');
        }
        return bulk.toString();
    }

    static void loadEvents(JsonHttp http, String index, List<String[]> rows) {
        ok(http.put("/" + index, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},\"mappings\":{\"properties\":{"
            + "\"user\":{\"type\":\"keyword\"},\"item\":{\"type\":\"keyword\"},\"weight\":{\"type\":\"float\"}}}}"));
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            bulk.append("{\"index\":{}}\n{\"user\":\"").append(r[0]).append("\",\"item\":\"").append(r[1]).append("\",\"weight\":1}\n");
            if ((i + 1) % 10_000 == 0 || i == rows.size() - 1) {
                bulkOk(http, "/" + index, bulk.toString());
                bulk.setLength(0);
            }
        }
        ok(http.post("/" + index + "/_refresh", null));
    }

    static void bulkOk(JsonHttp http, String ndjson) {
        bulkOk(http, "", ndjson);
    }

    static void bulkOk(JsonHttp http, String prefix, String ndjson) {
        JsonHttp.Response r = ok(http.postNdjson(prefix + "/_bulk?refresh=true", ndjson));
        if (r.json().path("errors").asBoolean()) {
            throw new IllegalStateException("bulk failed: " + r.body().substring(0, Math.min(2000, r.body().length())));
        }
    }

    static JsonHttp.Response ok(JsonHttp.Response r) {
        if (r.status() >= 300) {
            throw new IllegalStateException(r.status() + ": " + r.body());
        }
        return r;
    }
}
