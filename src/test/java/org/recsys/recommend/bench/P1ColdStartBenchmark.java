package org.recsys.recommend.bench;

import com.fasterxml.jackson.databind.JsonNode;

import org.recsys.recommend.math.ContentFeatures;
import org.recsys.recommend.math.ContentToFactors;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealNode;

import java.io.IOException;
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

/**
 * Issue #6's cold-start measurement, through the product path: 10 % of ml-100k's items (seeded) are held out of training
 * entirely (all their P1 train events dropped); {@code _train} runs on the rest (λ = 60, α = 10, as chosen on P1's
 * validation split) and fits the content → factor map from title and genres, with the map's λ chosen offline on 10 % of
 * the trained items kept aside (how well it predicts their trained factors); the held-out items are then indexed again
 * through the item mode of {@code recommend_update}, which gives them factors from their content alone; finally every test
 * user with a held-out item in P1's test file is scored through the real {@code recommend} query (collaborative signal,
 * exact, restricted to the held-out items), and the hit rate at 10 is compared with the exact hit rate of a random ranking
 * of the held-out items (hypergeometric).
 *
 * <pre>
 * java -cp ... org.recsys.recommend.bench.P1ColdStartBenchmark [--data ../shared/datasets/ml-100k]
 * </pre>
 */
public final class P1ColdStartBenchmark {

    private static final int K = 10;

    private P1ColdStartBenchmark() {}

    public static void main(String[] args) throws IOException {
        Path data = P1QualityBenchmark.dataFolder(args);
        List<String[]> train = P1QualityBenchmark.read(data.resolve(P1QualityBenchmark.SPLIT).resolve("train.tsv"));
        List<String[]> test = P1QualityBenchmark.read(data.resolve(P1QualityBenchmark.SPLIT).resolve("test.tsv"));
        try (RealNode node = RealNode.start(NodeSpec.insecure().withHeap("2g"))) {
            JsonHttp http = node.http();
            P1QualityBenchmark.loadItems(http, data);
            Map<String, Map<String, List<String>>> content = readContent(http);
            List<String> items = new ArrayList<>(content.keySet());
            Collections.sort(items);
            Collections.shuffle(items, new Random(13));
            Set<String> cold = new HashSet<>(items.subList(0, items.size() / 10));
            List<String[]> warmTrain = train.stream().filter(r -> cold.contains(r[1]) == false).toList();
            P1QualityBenchmark.loadEvents(http, "p1_train", warmTrain);
            P1QualityBenchmark.train(http, "p1_train", 60, 10, ",\"content\":{\"fields\":[]}");
            Map<String, float[]> trained = readFactors(http);
            System.out.printf(Locale.ROOT, "%d items, %d held out of training (their %d train events dropped); %d items trained%n",
                items.size(), cold.size(), train.size() - warmTrain.size(), trained.size());

            // the map's λ is chosen offline on trained items kept aside; the map used below is the one _train fits with it
            double mapLambda = chooseMapLambda(content, trained);
            JsonNode retrained = P1QualityBenchmark.train(http, "p1_train", 60, 10,
                String.format(Locale.ROOT, ",\"content\":{\"fields\":[\"title\",\"genres\"],\"lambda\":%s}", mapLambda));
            System.out.printf(Locale.ROOT, "_train fitted the content map on %s features (phases %s)%n",
                retrained.path("content_map_features"), retrained.path("phases_ms"));
            // the held-out items are indexed again through the item mode of recommend_update, as a new item would be
            P1QualityBenchmark.ok(http.put("/_ingest/pipeline/p1_new_items",
                "{\"processors\":[{\"recommend_update\":{\"model\":\"p1\",\"mode\":\"item\"}}]}"));
            StringBuilder bulk = new StringBuilder();
            for (String item : cold) {
                Map<String, Object> doc = Map.of("title", content.get(item).get("title").get(0), "genres", content.get(item).get("genres"));
                bulk.append("{\"index\":{\"_index\":\"p1_items\",\"_id\":\"").append(item).append("\"}}\n")
                    .append(JsonHttp.MAPPER.writeValueAsString(doc)).append('\n');
            }
            P1QualityBenchmark.ok(http.postNdjson("/_bulk?pipeline=p1_new_items&refresh=true", bulk.toString()));
            JsonHttp.Response withFactors = http.post("/p1_items/_count", "{\"query\":{\"bool\":{\"filter\":[{\"ids\":{\"values\":"
                + JsonHttp.MAPPER.writeValueAsString(new ArrayList<>(cold)) + "}},{\"exists\":{\"field\":\"" + servedFactors(http)
                + "\"}}]}}}");
            System.out.printf(Locale.ROOT, "held-out items given factors by the item pipeline: %s of %d%n",
                withFactors.at("/count"), cold.size());

            Map<String, Set<String>> coldTest = new LinkedHashMap<>();
            for (String[] r : test) {
                if (cold.contains(r[1])) {
                    coldTest.computeIfAbsent(r[0], u -> new HashSet<>()).add(r[1]);
                }
            }
            String coldIds = JsonHttp.MAPPER.writeValueAsString(new ArrayList<>(cold));
            int hits = 0;
            double randomHits = 0;
            int scored = 0;
            for (Map.Entry<String, Set<String>> user : coldTest.entrySet()) {
                JsonHttp.Response r = http.post("/p1_items/_search", "{\"size\":" + K + ",\"_source\":false,\"query\":{\"recommend\":{"
                    + "\"model\":\"p1\",\"user\":\"" + user.getKey() + "\",\"signals\":{\"collaborative\":{}},\"exact\":true,"
                    + "\"filter\":{\"ids\":{\"values\":" + coldIds + "}}}}}");
                if (r.status() != 200) {
                    continue; // a test user without a trained profile
                }
                scored++;
                boolean hit = false;
                for (JsonNode h : r.at("/hits/hits")) {
                    hit |= user.getValue().contains(h.path("_id").asText());
                }
                hits += hit ? 1 : 0;
                randomHits += randomHitRate(cold.size(), user.getValue().size(), K);
            }
            System.out.println();
            System.out.println("| ranking of the held-out items | users | HR@10 |");
            System.out.println("|---|---|---|");
            System.out.printf(Locale.ROOT, "| user factors · content-mapped item factors (recommend query) | %d | %.4f |%n", scored,
                (double) hits / scored);
            System.out.printf(Locale.ROOT, "| random (exact expectation) | %d | %.4f |%n", scored, randomHits / scored);
        }
    }

    /** The map's λ with the best mean cosine between predicted and trained factors on 10 % of the trained items kept aside. */
    private static double chooseMapLambda(Map<String, Map<String, List<String>>> content, Map<String, float[]> trained) {
        List<String> ids = new ArrayList<>(trained.keySet());
        Collections.sort(ids);
        Collections.shuffle(ids, new Random(17));
        List<String> aside = ids.subList(0, ids.size() / 10);
        List<String> fit = ids.subList(ids.size() / 10, ids.size());
        ContentFeatures features = ContentFeatures.fit(fit.stream().map(content::get).toList(), 2, 2000);
        double bestLambda = 0;
        double bestCosine = -2;
        for (double lambda : new double[] { 0.1, 1, 3, 10, 30 }) {
            ContentToFactors map = fitOn(fit, features, content, trained, lambda);
            double cosine = 0;
            for (String item : aside) {
                cosine += Vectors.cosine(map.apply(features.encode(content.get(item))), trained.get(item));
            }
            cosine /= aside.size();
            System.out.printf(Locale.ROOT, "map lambda %5.1f: mean cosine to the true factors of %d items kept aside %.4f%n", lambda,
                aside.size(), cosine);
            if (cosine > bestCosine) {
                bestCosine = cosine;
                bestLambda = lambda;
            }
        }
        System.out.printf(Locale.ROOT, "chosen map lambda %.1f%n", bestLambda);
        return bestLambda;
    }

    private static ContentToFactors fitOn(List<String> ids, ContentFeatures features, Map<String, Map<String, List<String>>> content,
        Map<String, float[]> trained, double lambda) {
        int[][] x = new int[ids.size()][];
        float[][] y = new float[ids.size()][];
        for (int i = 0; i < ids.size(); i++) {
            x[i] = features.encode(content.get(ids.get(i)));
            y[i] = trained.get(ids.get(i));
        }
        return ContentToFactors.fit(x, y, features.size(), y[0].length, lambda);
    }

    /** P(at least one of m relevant items in the top k of a uniformly random ranking of n) = 1 − C(n − m, k) / C(n, k). */
    static double randomHitRate(int n, int m, int k) {
        double miss = 1;
        for (int i = 0; i < k; i++) {
            miss *= (double) (n - m - i) / (n - i);
            if (miss <= 0) {
                return 1;
            }
        }
        return 1 - miss;
    }

    private static Map<String, Map<String, List<String>>> readContent(JsonHttp http) {
        Map<String, Map<String, List<String>>> content = new HashMap<>();
        JsonHttp.Response r = P1QualityBenchmark.ok(
            http.post("/p1_items/_search", "{\"size\":10000,\"_source\":[\"title\",\"genres\"]}")
        );
        for (JsonNode hit : r.at("/hits/hits")) {
            List<String> genres = new ArrayList<>();
            hit.at("/_source/genres").forEach(g -> genres.add(g.asText()));
            content.put(hit.path("_id").asText(), Map.of("title", List.of(hit.at("/_source/title").asText()), "genres", genres));
        }
        return content;
    }

    /** The items' factors field the model serves (a training switches between the two slots). */
    private static String servedFactors(JsonHttp http) {
        return P1QualityBenchmark.ok(http.get("/_recommend/model/p1")).at("/p1/state/slot").asInt(0) == 0 ? "factors" : "factors_alt";
    }

    private static Map<String, float[]> readFactors(JsonHttp http) {
        Map<String, float[]> factors = new HashMap<>();
        String field = servedFactors(http);
        JsonHttp.Response r = P1QualityBenchmark.ok(http.post("/p1_items/_search",
            "{\"size\":10000,\"query\":{\"exists\":{\"field\":\"" + field + "\"}},"
                + "\"_source\":{\"includes\":[\"" + field + "\"],\"exclude_vectors\":false}}"));
        for (JsonNode hit : r.at("/hits/hits")) {
            JsonNode v = hit.at("/_source/" + field);
            float[] f = new float[v.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) v.get(i).asDouble();
            }
            factors.put(hit.path("_id").asText(), f);
        }
        return factors;
    }
}
