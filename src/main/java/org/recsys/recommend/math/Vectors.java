package org.recsys.recommend.math;

import java.util.List;

/** Small vector helpers with the input checks every entry point needs. */
public final class Vectors {

    private Vectors() {}

    /** Throws naming {@code field} and the position when a component is NaN or infinite. */
    public static void requireFinite(String field, float[] vector) {
        for (int i = 0; i < vector.length; i++) {
            if (Float.isFinite(vector[i]) == false) {
                throw new IllegalArgumentException(
                    "[" + field + "] must contain only finite numbers, found [" + vector[i] + "] at position [" + i + "]"
                );
            }
        }
    }

    /** Component-wise mean of equally long vectors; null for an empty list. */
    public static float[] mean(List<float[]> vectors) {
        if (vectors.isEmpty()) {
            return null;
        }
        int dims = vectors.get(0).length;
        double[] sum = new double[dims];
        for (float[] v : vectors) {
            if (v.length != dims) {
                throw new IllegalArgumentException("vectors of different lengths: " + dims + " and " + v.length);
            }
            for (int i = 0; i < dims; i++) {
                sum[i] += v[i];
            }
        }
        float[] mean = new float[dims];
        for (int i = 0; i < dims; i++) {
            mean[i] = (float) (sum[i] / vectors.size());
        }
        return mean;
    }
}
