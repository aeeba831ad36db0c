package org.recsys.recommend.query.it;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.recsys.recommend.math.FeatureValues;
import org.recsys.recommend.testing.JsonHttp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A seeded catalogue for real-node query tests, and the brute-force oracle: every score is recomputed from the generated
 * data exactly as the contract says (dot product of float32 vectors, neighbor sums over the similarity as FeatureField
 * stores it, saturation and linear normalizations, weights).
 */
public final class QueryCatalog {

    public static final int ITEMS = 1500;
    public static final int DIMS = 8;
    public static final int CLUSTERS = 10;

    public final float[][] factors = new float[ITEMS][];
    public final List<Map<String, Float>> neighbors = new ArrayList<>();
    public final float[] popularity = new float[ITEMS];
    public final boolean[] inStock = new boolean[ITEMS];

    public QueryCatalog(long seed) {
        Random random = new Random(seed);
        float[][] centroids = new float[CLUSTERS][DIMS];
        for (float[] c : centroids) {
            for (int d = 0; d < DIMS; d++) {
                c[d] = (float) random.nextGaussian() * 0.5f;
            }
        }
        for (int i = 0; i < ITEMS; i++) {
            // every 50th item has no factors, every 40th no neighbors: cold items must still be rankable
            if (i % 50 != 7) {
                float[] v = new float[DIMS];
                for (int d = 0; d < DIMS; d++) {
                    v[d] = centroids[i % CLUSTERS][d] + (float) random.nextGaussian() * 0.2f;
                }
                factors[i] = v;
            }
            Map<String, Float> sims = new LinkedHashMap<>();
            if (i % 40 != 3) {
                for (int n = 0; n < 12; n++) {
                    int other = (i % CLUSTERS) + CLUSTERS * random.nextInt(ITEMS / CLUSTERS);
                    if (other != i) {
                        sims.put("i" + other, 0.05f + random.nextFloat() * 0.9f);
                    }
                }
            }
            neighbors.add(sims);
            popularity[i] = (float) Math.floor(100 * random.nextDouble() * random.nextDouble());
            inStock[i] = random.nextDouble() < 0.1;
        }
    }

    public void load(JsonHttp http, String index, int shards) {
        String mapping = """
            { "settings": { "number_of_shards": %d, "number_of_replicas": 0 },
              "mappings": { "properties": {
                "factors": { "type": "dense_vector", "dims": %d, "element_type": "float", "similarity": "max_inner_product" },
                "neighbors": { "type": "sparse_vector" }, "title": { "type": "text" }, "cluster": { "type": "keyword" },
                "popularity": { "type": "float" }, "in_stock": { "type": "boolean" }, "rank": { "type": "integer" } } } }"""
            .formatted(shards, DIMS);
        ok(http.put("/" + index, mapping));
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            ObjectNode doc = JsonHttp.MAPPER.createObjectNode();
            if (factors[i] != null) {
                ArrayNode v = doc.putArray("factors");
                for (float f : factors[i]) {
                    v.add(f);
                }
            }
            if (neighbors.get(i).isEmpty() == false) {
                ObjectNode n = doc.putObject("neighbors");
                neighbors.get(i).forEach(n::put);
            }
            doc.put("title", "word" + (i % CLUSTERS) + " item " + i).put("cluster", "c" + (i % CLUSTERS));
            doc.put("popularity", popularity[i]).put("in_stock", inStock[i]).put("rank", i);
            bulk.append("{\"index\":{\"_index\":\"").append(index).append("\",\"_id\":\"i").append(i).append("\"}}\n");
            bulk.append(doc).append('\n');
        }
        JsonHttp.Response response = http.postNdjson("/_bulk?refresh=true", bulk.toString());
        ok(response);
        assertEquals(false, response.at("/errors").asBoolean(), response.body().substring(0, Math.min(500, response.body().length())));
    }

    /** Σ weight × normalize(raw) for collaborative (linear, weight wc), neighbors (saturation pivot 1, wn), popularity (saturation 10,
            wp). */
    double score(int item, float[] user, Map<String, Float> history, double wc, double wn, double wp) {
        double total = 0;
        if (user != null && factors[item] != null && wc > 0) {
            double dot = 0;
            for (int d = 0; d < DIMS; d++) {
                dot += user[d] * factors[item][d];
            }
            total += wc * Math.max(0, (float) dot);
        }
        if (wn > 0) {
            double sum = 0;
            for (Map.Entry<String, Float> h : history.entrySet()) {
                Float sim = neighbors.get(item).get(h.getKey());
                if (sim != null) {
                    sum += (double) h.getValue() * FeatureValues.quantize(sim);
                }
            }
            total += wn * (sum > 0 ? sum / (sum + 1) : 0);
        }
        if (wp > 0) {
            total += wp * (popularity[item] > 0 ? popularity[item] / (popularity[item] + 10.0) : 0);
        }
        return total;
    }

    /** Item indices ranked by the oracle among those passing {@code admissible}, best first. */
    List<Integer> ranking(float[] user, Map<String, Float> history, double wc, double wn, double wp, Predicate<Integer> admissible) {
        Map<Integer, Double> scores = new HashMap<>();
        for (int i = 0; i < ITEMS; i++) {
            if (admissible.test(i) && history.containsKey("i" + i) == false) {
                scores.put(i, score(i, user, history, wc, wn, wp));
            }
        }
        List<Integer> ids = new ArrayList<>(scores.keySet());
        ids.sort(Comparator.comparingDouble((Integer i) -> -scores.get(i)).thenComparingInt(i -> i));
        return ids;
    }

    float[] userVector(Random random, int cluster) {
        int anchor = cluster + CLUSTERS;
        float[] v = new float[DIMS];
        for (int d = 0; d < DIMS; d++) {
            v[d] = (factors[anchor] == null ? 0 : factors[anchor][d]) + (float) random.nextGaussian() * 0.1f;
        }
        return v;
    }

    Map<String, Float> history(Random random, int cluster, int size) {
        Map<String, Float> h = new LinkedHashMap<>();
        while (h.size() < size) {
            h.put("i" + (cluster + CLUSTERS * random.nextInt(ITEMS / CLUSTERS)), 1f + random.nextInt(3));
        }
        return h;
    }

    static boolean any(int item) {
        return true;
    }

    static Set<String> ids(List<Integer> items) {
        return new java.util.LinkedHashSet<>(items.stream().map(i -> "i" + i).toList());
    }

    public static void ok(JsonHttp.Response response) {
        if (response.status() / 100 != 2) {
            throw new AssertionError(response.status() + " " + response.body());
        }
    }
}
