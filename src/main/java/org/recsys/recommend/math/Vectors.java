package org.recsys.recommend.math;

import java.util.ArrayList;
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

    /**
     * The largest weight or vector component a request may carry. Far above any trained factor or sensible weight, far below
     * where products and sums of them overflow to infinity (which turns rankings into NaN).
     */
    public static final double MAX_MAGNITUDE = 1_000_000;

    /** Whether {@code value} is a usable weight or scale: finite, > 0 and at most {@link #MAX_MAGNITUDE}. */
    public static boolean positiveAndBounded(double value) {
        return Double.isFinite(value) && value > 0 && value <= MAX_MAGNITUDE;
    }

    /** Throws naming {@code field} and the position when a component is NaN, infinite or beyond {@link #MAX_MAGNITUDE}. */
    public static void requireBounded(String field, float[] vector) {
        requireFinite(field, vector);
        for (int i = 0; i < vector.length; i++) {
            if (Math.abs(vector[i]) > MAX_MAGNITUDE) {
                throw new IllegalArgumentException("[" + field + "] components must be at most " + (long) MAX_MAGNITUDE
                    + " in magnitude, found [" + vector[i] + "] at position [" + i + "]");
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

    /** Cosine similarity; 0 when either vector is missing, of another length, or zero. */
    public static double cosine(float[] a, float[] b) {
        if (a == null || b == null || a.length != b.length) {
            return 0;
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    /** The vector as a list, the form a document source holds. */
    public static List<Float> asList(float[] vector) {
        List<Float> list = new ArrayList<>(vector.length);
        for (float v : vector) {
            list.add(v);
        }
        return list;
    }
}
