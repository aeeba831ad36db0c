package org.recsys.recommend.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A clustered item catalogue that is a pure function of (seed, item number): item {@code i} is drawn from its own
 * random stream, so any item can be regenerated at any time and nothing large is held. Item {@code i} belongs to cluster
 * {@code i mod 200}; its factors are the cluster centroid plus noise, its neighbors are other members of the cluster, its
 * title mixes the cluster's words with common words. Values are rounded (4 decimals for factors) so the JSON is short
 * and the benchmark's own vectors are exactly the ones the index holds.
 */
final class SyntheticCatalogue {

    static final int DIMS = 64;
    static final int CLUSTERS = 200;
    static final int NEIGHBORS = 50;
    static final int HISTORY = 50;
    private static final int CLUSTER_WORDS = 20;
    private static final int COMMON_WORDS = 2000;
    private static final int GENRES = 20;
    private static final double NOISE = 0.6;
    private static final String[] SYLLABLES = { "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "ba", "de", "fi", "go", "hu", "ja",
        "pe" };

    /** One item as it is indexed. */
    record Item(int number, int cluster, float[] factors, String title, String[] genres, float popularity, int[] neighbors,
        float[] similarities) {

        String id() {
            return SyntheticCatalogue.id(number);
        }
    }

    /** A user: a vector and a history of distinct item numbers. */
    record User(String kind, float[] vector, int[] history) {}

    private final int items;
    private final long seed;
    private final float[][] centroids;

    SyntheticCatalogue(int items, long seed) {
        if (items < CLUSTERS * 2 * NEIGHBORS) {
            throw new IllegalArgumentException("[items] must be at least " + CLUSTERS * 2 * NEIGHBORS + ", got [" + items + "]");
        }
        this.items = items;
        this.seed = seed;
        SplittableRandom random = new SplittableRandom(seed);
        centroids = new float[CLUSTERS][DIMS];
        for (float[] centroid : centroids) {
            for (int d = 0; d < DIMS; d++) {
                centroid[d] = (float) (random.nextGaussian() / Math.sqrt(DIMS));
            }
        }
    }

    int size() {
        return items;
    }

    long seed() {
        return seed;
    }

    static String id(int number) {
        return "i" + number;
    }

    Item item(int i) {
        SplittableRandom random = stream(i);
        int cluster = i % CLUSTERS;
        float[] factors = factors(cluster, random);
        StringBuilder title = new StringBuilder();
        for (int w = 0; w < 3; w++) {
            title.append(word(cluster * CLUSTER_WORDS + random.nextInt(CLUSTER_WORDS), 3)).append(' ');
        }
        title.append(word(random.nextInt(COMMON_WORDS), 4)).append(' ').append(word(random.nextInt(COMMON_WORDS), 4));
        String[] genres = random.nextInt(3) == 0
            ? new String[] { genre(cluster % GENRES), genre(random.nextInt(GENRES)) }
            : new String[] { genre(cluster % GENRES) };
        float popularity = round(Math.exp(1.5 * random.nextGaussian()), 1e3);
        int perCluster = clusterSize(cluster);
        int[] neighbors = new int[NEIGHBORS];
        float[] similarities = new float[NEIGHBORS];
        int filled = 0;
        while (filled < NEIGHBORS) {
            int candidate = cluster + CLUSTERS * random.nextInt(perCluster);
            if (candidate != i && contains(neighbors, filled, candidate) == false) {
                neighbors[filled] = candidate;
                similarities[filled] = Math.max(0.001f, round(1.0 - random.nextDouble(), 1e3));
                filled++;
            }
        }
        return new Item(i, cluster, factors, title.toString(), genres, popularity, neighbors, similarities);
    }

    /** Only the factors of item {@code i} (the same values as {@link #item(int)}), for the brute-force matrix. */
    float[] factors(int i) {
        return factors(i % CLUSTERS, stream(i));
    }

    /** User {@code u}: a history drawn from two clusters and a vector that is random or the mean of the history's factors. */
    User user(int u, boolean meanOfHistory) {
        SplittableRandom random = new SplittableRandom(mix(seed ^ 0x5DEECE66DL, u));
        int first = random.nextInt(CLUSTERS);
        int second = random.nextInt(CLUSTERS);
        int[] history = new int[HISTORY];
        int filled = 0;
        while (filled < HISTORY) {
            int cluster = filled < HISTORY * 7 / 10 ? first : second;
            int candidate = cluster + CLUSTERS * random.nextInt(clusterSize(cluster));
            if (contains(history, filled, candidate) == false) {
                history[filled++] = candidate;
            }
        }
        float[] vector = new float[DIMS];
        if (meanOfHistory) {
            for (int h : history) {
                float[] f = factors(h);
                for (int d = 0; d < DIMS; d++) {
                    vector[d] += f[d] / HISTORY;
                }
            }
            for (int d = 0; d < DIMS; d++) {
                vector[d] = round(vector[d], 1e4);
            }
        } else {
            for (int d = 0; d < DIMS; d++) {
                vector[d] = round(random.nextGaussian() / Math.sqrt(DIMS), 1e4);
            }
        }
        return new User(meanOfHistory ? "mean-of-history" : "random", vector, history);
    }

    /** Users 0..n-1 alternating random and mean-of-history vectors. */
    List<User> users(int n, int firstUser) {
        List<User> users = new ArrayList<>(n);
        for (int u = 0; u < n; u++) {
            users.add(user(firstUser + u, u % 2 == 1));
        }
        return users;
    }

    /** The text the history items' titles give, joined: what a client would send to a content query. */
    String historyText(int[] history) {
        StringBuilder text = new StringBuilder();
        for (int h : history) {
            text.append(item(h).title()).append(". ");
        }
        return text.toString();
    }

    private int clusterSize(int cluster) {
        return (items - cluster + CLUSTERS - 1) / CLUSTERS;
    }

    private float[] factors(int cluster, SplittableRandom random) {
        float[] factors = new float[DIMS];
        float[] centroid = centroids[cluster];
        for (int d = 0; d < DIMS; d++) {
            factors[d] = round(centroid[d] + NOISE * random.nextGaussian() / Math.sqrt(DIMS), 1e4);
        }
        return factors;
    }

    private SplittableRandom stream(int i) {
        return new SplittableRandom(mix(seed, i));
    }

    private static long mix(long seed, long i) {
        // SplitMix64 finalizer: neighbouring item numbers get unrelated streams.
        long z = seed * 0x9E3779B97F4A7C15L + i;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static float round(double value, double scale) {
        return (float) (Math.round(value * scale) / scale);
    }

    private static boolean contains(int[] values, int length, int value) {
        for (int k = 0; k < length; k++) {
            if (values[k] == value) {
                return true;
            }
        }
        return false;
    }

    private static String word(int k, int syllables) {
        StringBuilder word = new StringBuilder();
        int rest = k;
        for (int s = 0; s < syllables; s++) {
            word.append(SYLLABLES[rest % SYLLABLES.length]);
            rest /= SYLLABLES.length;
        }
        return word.toString();
    }

    private static String genre(int g) {
        return String.format(Locale.ROOT, "genre-%02d", g);
    }
}
