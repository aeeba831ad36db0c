package org.recsys.recommend.bench;

/**
 * The floor for an exact scan: how fast this JVM can merely read the factor matrix, summing it with independent
 * accumulators (so the loop is bound by loads, not by one addition chain). The best of several passes is reported.
 */
final class MemoryBandwidth {

    /** The best pass: seconds to read the whole array once, and the checksum that keeps the loop alive. */
    record Measurement(double bestSeconds, long bytes, double checksum) {
        double gigabytesPerSecond() {
            return bytes / bestSeconds / 1e9;
        }
    }

    private MemoryBandwidth() {}

    static Measurement measure(float[] matrix, int passes) {
        double best = Double.MAX_VALUE;
        double checksum = 0;
        for (int p = 0; p < passes; p++) {
            long start = System.nanoTime();
            checksum += sum(matrix);
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        return new Measurement(best, (long) matrix.length * Float.BYTES, checksum);
    }

    private static double sum(float[] a) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int i = 0;
        for (; i + 8 <= a.length; i += 8) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            s4 += a[i + 4];
            s5 += a[i + 5];
            s6 += a[i + 6];
            s7 += a[i + 7];
        }
        for (; i < a.length; i++) {
            s0 += a[i];
        }
        return (double) s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
    }
}
