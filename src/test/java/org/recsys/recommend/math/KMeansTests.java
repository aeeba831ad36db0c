package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** k-means recovers well-separated planted clusters, and is deterministic for a seed. */
class KMeansTests {

    private static final int DIMS = 8;
    private static final int CLUSTERS = 6;

    @Test
    void recoversPlantedClusters() {
        SplittableRandom random = new SplittableRandom(3);
        float[][] centres = new float[CLUSTERS][DIMS];
        for (int c = 0; c < CLUSTERS; c++) {
            centres[c][c] = 10; // one axis each: centres 14 apart, points within ~0.3 of theirs
        }
        int count = 600;
        float[] points = new float[count * DIMS];
        for (int p = 0; p < count; p++) {
            for (int d = 0; d < DIMS; d++) {
                points[p * DIMS + d] = centres[p % CLUSTERS][d] + (float) (0.1 * random.nextGaussian());
            }
        }
        // more iterations than needed: a start that put two centroids in one cluster moves one of them out
        float[] centroids = KMeans.fit(points, count, DIMS, CLUSTERS, 20, 42);
        KMeans.Nearest nearest = new KMeans.Nearest(centroids, CLUSTERS, DIMS);
        Map<Integer, Integer> listOfCluster = new HashMap<>();
        float[] point = new float[DIMS];
        for (int p = 0; p < count; p++) {
            System.arraycopy(points, p * DIMS, point, 0, DIMS);
            int list = nearest.of(point);
            Integer before = listOfCluster.putIfAbsent(p % CLUSTERS, list);
            assertEquals(before == null ? list : before, list, "point " + p + " of cluster " + p % CLUSTERS);
        }
        assertEquals(CLUSTERS, listOfCluster.values().stream().distinct().count(), "one list per planted cluster");
        assertArrayEquals(centroids, KMeans.fit(points, count, DIMS, CLUSTERS, 20, 42), "deterministic for a seed");
    }

    @Test
    void refusesFewerPointsThanLists() {
        assertThrows(IllegalArgumentException.class, () -> KMeans.fit(new float[3 * DIMS], 3, DIMS, 4, 5, 1));
    }
}
