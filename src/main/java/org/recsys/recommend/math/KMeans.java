package org.recsys.recommend.math;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Lloyd's k-means over vectors packed one after the other in a float array, and the nearest-centroid assignment it is
 * used for. The squared Euclidean distance |x − c|² ranks centroids like c·x − |c|²/2 (|x|² is the same for all of
 * them), so finding a vector's nearest centroid is one batch of dot products ({@link DotProducts#dots}).
 */
public final class KMeans {

    private KMeans() {}

    /**
     * {@code lists} centroids of the {@code count} vectors of {@code dims} floats in {@code points}, packed likewise.
     * Seeded by k-means++ with {@code seed}; a centroid left without points takes a random point again.
     * Deterministic for the same points and seed.
     */
    public static float[] fit(float[] points, int count, int dims, int lists, int iterations, long seed) {
        if (count < lists) {
            throw new IllegalArgumentException("k-means needs at least as many points as lists: " + count + " < " + lists);
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] centroids = seeds(points, count, dims, lists, random);
        Nearest nearest = new Nearest(centroids, lists, dims);
        float[] point = new float[dims];
        double[] sums = new double[lists * dims];
        int[] sizes = new int[lists];
        for (int iteration = 0; iteration < iterations; iteration++) {
            Arrays.fill(sums, 0);
            Arrays.fill(sizes, 0);
            for (int p = 0; p < count; p++) {
                System.arraycopy(points, p * dims, point, 0, dims);
                int c = nearest.of(point);
                sizes[c]++;
                for (int d = 0; d < dims; d++) {
                    sums[c * dims + d] += point[d];
                }
            }
            for (int c = 0; c < lists; c++) {
                if (sizes[c] == 0) {
                    System.arraycopy(points, random.nextInt(count) * dims, centroids, c * dims, dims);
                    continue;
                }
                for (int d = 0; d < dims; d++) {
                    centroids[c * dims + d] = (float) (sums[c * dims + d] / sizes[c]);
                }
            }
            nearest = new Nearest(centroids, lists, dims);
        }
        return centroids;
    }

    /**
     * k-means++ seeding (Arthur & Vassilvitskii 2007): each next centroid is a point drawn with probability proportional
     * to its squared distance from the nearest centroid so far. Random distinct points as seeds often put two centroids in
     * one cluster and none in another, a local minimum Lloyd's iterations do not leave.
     */
    private static float[] seeds(float[] points, int count, int dims, int lists, SplittableRandom random) {
        float[] centroids = new float[lists * dims];
        double[] norms = new double[count]; // |x|², so that |x − c|² = |x|² − 2 x·c + |c|² is one batch of dot products
        for (int i = 0; i < count * dims; i++) {
            norms[i / dims] += (double) points[i] * points[i];
        }
        double[] nearest = new double[count];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        double[] dots = new double[count];
        float[] centroid = new float[dims];
        int chosen = random.nextInt(count);
        for (int c = 0; c < lists; c++) {
            System.arraycopy(points, chosen * dims, centroid, 0, dims);
            System.arraycopy(centroid, 0, centroids, c * dims, dims);
            double centroidNorm = norms[chosen];
            DotProducts.dots(centroid, points, count, dots, 0);
            double total = 0;
            for (int p = 0; p < count; p++) {
                nearest[p] = Math.min(nearest[p], Math.max(0, norms[p] - 2 * dots[p] + centroidNorm));
                total += nearest[p];
            }
            if (total == 0) {
                chosen = random.nextInt(count); // every point is a centroid already: duplicates are harmless
                continue;
            }
            double target = random.nextDouble() * total;
            chosen = count - 1;
            for (int p = 0; p < count; p++) {
                target -= nearest[p];
                if (target < 0) {
                    chosen = p;
                    break;
                }
            }
        }
        return centroids;
    }

    /** Finds the nearest of a fixed set of centroids; holds scratch space, so one per thread. */
    public static final class Nearest {
        private final float[] centroids;
        private final int lists;
        private final double[] halfNorms;
        private final double[] dots;

        public Nearest(float[] centroids, int lists, int dims) {
            this.centroids = centroids;
            this.lists = lists;
            this.halfNorms = new double[lists];
            this.dots = new double[lists];
            for (int c = 0; c < lists; c++) {
                double norm = 0;
                for (int d = 0; d < dims; d++) {
                    double v = centroids[c * dims + d];
                    norm += v * v;
                }
                halfNorms[c] = norm / 2;
            }
        }

        /** The index of the centroid nearest to {@code point} (the lowest index on ties). */
        public int of(float[] point) {
            DotProducts.dots(point, centroids, lists, dots, 0);
            int best = 0;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < lists; c++) {
                double value = dots[c] - halfNorms[c];
                if (value > bestValue) {
                    bestValue = value;
                    best = c;
                }
            }
            return best;
        }
    }
}
