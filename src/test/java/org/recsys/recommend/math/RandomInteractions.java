package org.recsys.recommend.math;

import java.util.Random;

/** Random user × item interactions for the neighbor tests: {@code n} draws, strengths 1..maxStrength (repeats merge). */
final class RandomInteractions {

    private RandomInteractions() {}

    static Interactions draw(Random random, int users, int items, int n, int maxStrength) {
        int[] rows = new int[n];
        int[] cols = new int[n];
        float[] values = new float[n];
        for (int t = 0; t < n; t++) {
            rows[t] = random.nextInt(users);
            cols[t] = random.nextInt(items);
            values[t] = 1 + random.nextInt(maxStrength);
        }
        return Interactions.fromTriples(users, items, rows, cols, values);
    }
}
