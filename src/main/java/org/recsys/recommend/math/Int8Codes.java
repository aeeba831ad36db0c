package org.recsys.recommend.math;

/**
 * Vectors as signed bytes with one scale for all of them (x ≈ code × scale), and their integer dot products: a quarter
 * of the floats' bytes, read sequentially, for ranking many vectors approximately before exact scoring.
 */
public final class Int8Codes {

    private static final Kernel KERNEL = loadKernel();

    private Int8Codes() {}

    /** The dot product's implementation: SIMD where the vector module and 256-bit registers are there. */
    interface Kernel {
        int dot(byte[] query, byte[] codes, int offset);
    }

    private static Kernel loadKernel() {
        try {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && PanamaInt8Dots.usable()) {
                return new PanamaInt8Dots();
            }
        } catch (LinkageError e) {
            // the module is there but this class loader's module cannot read it: the scalar loop
        }
        return Int8Codes::scalarDot;
    }

    /** The scale that maps the largest magnitude in {@code values} to 127 (1 when they are all zero). */
    public static float scaleFor(float[] values) {
        return scaleForLargest(largestMagnitude(values, 0));
    }

    /** max(so far, the largest |v| in {@code values}). */
    public static float largestMagnitude(float[] values, float soFar) {
        float max = soFar;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    /** The scale that maps {@code largest} (a magnitude) to 127, or 1 when it is 0. */
    public static float scaleForLargest(float largest) {
        return largest == 0 ? 1f : largest / 127f;
    }

    /** Writes the codes of {@code vector} at {@code offset}, clipped to [-127, 127]. */
    public static void encode(float[] vector, float scale, byte[] codes, int offset) {
        for (int d = 0; d < vector.length; d++) {
            codes[offset + d] = (byte) Math.max(-127, Math.min(127, Math.round(vector[d] / scale)));
        }
    }

    /** Σ a[i]·codes[offset + i] in integers (exact: products of at most 127² stay far inside an int for any real dims). */
    public static int dot(byte[] a, byte[] codes, int offset) {
        return KERNEL.dot(a, codes, offset);
    }

    static int scalarDot(byte[] a, byte[] codes, int offset) {
        int sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * codes[offset + i];
        }
        return sum;
    }
}
