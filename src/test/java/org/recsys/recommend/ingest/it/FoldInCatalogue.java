package org.recsys.recommend.ingest.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.recsys.recommend.testing.GaussianElimination;
import org.recsys.recommend.testing.JsonHttp;

import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A seeded item catalogue for fold-in tests, and the oracle: the paper's closed form computed the slow way. Items come in
 * clusters (factors near a cluster centroid, neighbors = the other items of the cluster) so a query can see a new event
 * move a user towards a cluster.
 *
 * <p>The oracle never touches the plugin's math: for a history r (item → summed weight) it forms, over every item of the
 * catalogue, A = Σ_i c_ui y_i y_iᵀ + λI (that is YᵀCᵘY + λI = YᵀY + Yᵀ(Cᵘ − I)Y + λI) and b = Σ_i c_ui p_ui y_i
 * (= YᵀCᵘp(u)) with c_ui = 1 + α r_ui and p_ui = 1 for history items, c_ui = 1 and p_ui = 0 otherwise, in double
 * precision, and solves A x = b by Gaussian elimination with partial pivoting.
 */
final class FoldInCatalogue {

    final int size;
    final int k;
    final int clusters;
    final double lambda;
    final double alpha;
    private final float[][] y;

    FoldInCatalogue(long seed, int size, int k, int clusters, double lambda, double alpha) {
        this.size = size;
        this.k = k;
        this.clusters = clusters;
        this.lambda = lambda;
        this.alpha = alpha;
        Random random = new Random(seed);
        float[][] centroids = new float[clusters][k];
        for (float[] c : centroids) {
            for (int d = 0; d < k; d++) {
                c[d] = (float) (random.nextGaussian() * 0.5);
            }
        }
        y = new float[size][k];
        for (int i = 0; i < size; i++) {
            for (int d = 0; d < k; d++) {
                y[i][d] = (float) (centroids[i % clusters][d] + random.nextGaussian() * 0.15);
            }
        }
    }

    static String id(int item) {
        return "i" + item;
    }

    static int index(String id) {
        return Integer.parseInt(id.substring(1));
    }

    int cluster(int item) {
        return item % clusters;
    }

    float[] factors(int item) {
        return y[item].clone();
    }

    /** Replaces an item's factors in the oracle (the test re-indexes the item with the same values). */
    void setFactors(int item, float[] factors) {
        y[item] = factors.clone();
    }

    /** The items index: factors as a max_inner_product vector, neighbors as a sparse vector, a popularity number. */
    void load(JsonHttp http, String index) {
        load(http, index, "{\"number_of_shards\":1,\"number_of_replicas\":0}");
    }

    /** The items index with the given index settings (shards, replicas, allocation filters). */
    void load(JsonHttp http, String index, String settings) {
        ok(http.put("/" + index, String.format(Locale.ROOT, """
            {"settings":%s,
             "mappings":{"properties":{
               "factors":{"type":"dense_vector","dims":%d,"similarity":"max_inner_product"},
               "neighbors":{"type":"sparse_vector"},
               "popularity":{"type":"float"}}}}""", settings, k)));
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < size; i++) {
            bulk.append("{\"index\":{\"_id\":\"").append(id(i)).append("\"}}\n").append(itemSource(i)).append('\n');
            if ((i + 1) % 1000 == 0 || i == size - 1) {
                bulkOk(http, "/" + index + "/_bulk?refresh=true", bulk.toString());
                bulk.setLength(0);
            }
        }
    }

    String itemSource(int item) {
        ObjectNode doc = JsonHttp.MAPPER.createObjectNode();
        ArrayNode f = doc.putArray("factors");
        for (float v : y[item]) {
            f.add(v);
        }
        ObjectNode neighbors = doc.putObject("neighbors");
        for (int step = 1; step <= 4; step++) {
            int other = item + step * clusters;
            if (other < size) {
                neighbors.put(id(other), 0.9f / step);
            }
            other = item - step * clusters;
            if (other >= 0) {
                neighbors.put(id(other), 0.9f / step);
            }
        }
        doc.put("popularity", 1);
        return doc.toString();
    }

    /** The oracle: x_u = (YᵀCᵘY + λI)⁻¹ YᵀCᵘp(u) over every item of the catalogue. */
    double[] closedForm(Map<String, Double> history) {
        return closedForm(history, lambda);
    }

    /** The oracle with another λ: λ·n_u for weighted regularization (ALS-WR). */
    double[] closedForm(Map<String, Double> history, double lambda) {
        double[][] a = new double[k][k + 1]; // augmented [A | b]
        for (int i = 0; i < size; i++) {
            Double r = history.get(id(i));
            double c = r == null ? 1 : 1 + alpha * r;
            double p = r == null ? 0 : 1;
            for (int row = 0; row < k; row++) {
                for (int col = 0; col < k; col++) {
                    a[row][col] += c * y[i][row] * (double) y[i][col];
                }
                a[row][k] += c * p * y[i][row];
            }
        }
        for (int d = 0; d < k; d++) {
            a[d][d] += lambda;
        }
        return GaussianElimination.solve(a);
    }

    /** YᵀY, naively. */
    double[][] gramian() {
        double[][] g = new double[k][k];
        for (float[] row : y) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    g[i][j] += (double) row[i] * row[j];
                }
            }
        }
        return g;
    }


    /** ‖actual − expected‖ / ‖expected‖ (the absolute error when the expected vector is zero). */
    static double relativeError(float[] actual, double[] expected) {
        if (actual.length != expected.length) {
            return Double.POSITIVE_INFINITY;
        }
        double diff = 0;
        double norm = 0;
        for (int d = 0; d < expected.length; d++) {
            diff += (actual[d] - expected[d]) * (actual[d] - expected[d]);
            norm += expected[d] * expected[d];
        }
        return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
    }

    static float[] vector(JsonNode array) {
        if (array == null || array.isArray() == false) {
            throw new AssertionError("not a vector: " + array);
        }
        float[] v = new float[array.size()];
        for (int d = 0; d < v.length; d++) {
            v[d] = (float) array.get(d).asDouble();
        }
        return v;
    }

    static JsonHttp.Response ok(JsonHttp.Response response) {
        if (response.status() / 100 != 2) {
            throw new AssertionError(response.status() + " " + response.body());
        }
        return response;
    }

    static JsonHttp.Response bulkOk(JsonHttp http, String path, String ndjson) {
        JsonHttp.Response response = ok(http.postNdjson(path, ndjson));
        if (response.at("/errors").asBoolean()) {
            throw new AssertionError("bulk had failures: " + response.body().substring(0, Math.min(2000, response.body().length())));
        }
        return response;
    }
}
