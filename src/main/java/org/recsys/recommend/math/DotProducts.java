package org.recsys.recommend.math;

import org.apache.lucene.util.VectorUtil;

/**
 * Dot products of one query vector with many stored vectors, as a full scan or a batch of candidates needs them.
 *
 * <p>Why not {@link VectorUtil#dotProduct} per vector: it computes one pair per call and ends each with a reduction across
 * SIMD lanes, a chain of dependent additions that takes longer than the multiplications for short vectors (64 floats).
 * Scoring four vectors in one pass keeps four independent accumulators and four independent lane sums in flight. Each
 * result is Σ q[i]·v[i] over the stored floats in float arithmetic, accumulated lane by lane with fused multiply-adds,
 * then summed across lanes in a fixed tree ({@link ScalarKernel} spells it out).
 *
 * <p>Why the fixed tree: VectorUtil's lane reduction adds the lanes in order when interpreted and as a tree once compiled,
 * so the same dot product could differ in its last bits between a cold and a warm JVM, and a training's first run on a
 * fresh node did not reproduce a later run with the same seed (up to 2 % apart in factors after 15 iterations). Here every
 * step is defined lane by lane: the same inputs give the same bits in any JIT tier.
 *
 * <p>The SIMD kernel needs the incubating {@code jdk.incubator.vector} module, which Elasticsearch adds to its JVM;
 * without it (or without SIMD hardware) a plain loop computes the same sums.
 */
public final class DotProducts {

    /** How many vectors {@link #dots} scores per pass. */
    public static final int BLOCK = 4;

    private static final Kernel KERNEL = loadKernel();

    private DotProducts() {}

    /** The kernel both methods use: its SIMD form or the scalar one. */
    interface Kernel {
        float dot(float[] query, float[] vectors, int offset);

        /** {@link #BLOCK} consecutive vectors of {@code query.length} floats from {@code offset} into out[at..at+3]. */
        void dotBlock(float[] query, float[] vectors, int offset, double[] out, int at);
    }

    /** q · v, where v is the {@code query.length} floats of {@code vectors} starting at {@code offset}. */
    public static float dot(float[] query, float[] vectors, int offset) {
        return KERNEL.dot(query, vectors, offset);
    }

    /**
     * out[at + j] = q · v_j for the {@code count} vectors packed one after the other in {@code vectors} (vector j starts
     * at j × query.length).
     */
    public static void dots(float[] query, float[] vectors, int count, double[] out, int at) {
        int dims = query.length;
        int j = 0;
        for (; j + BLOCK <= count; j += BLOCK) {
            KERNEL.dotBlock(query, vectors, j * dims, out, at + j);
        }
        for (; j < count; j++) {
            out[at + j] = KERNEL.dot(query, vectors, j * dims);
        }
    }

    /** sum + Σ q[i]·v[i] for i from {@code from} to the end, one fused multiply-add at a time: the part after the whole chunks. */
    static float tail(float[] query, float[] vectors, int offset, int from, float sum) {
        for (int i = from; i < query.length; i++) {
            sum = Math.fma(vectors[offset + i], query[i], sum);
        }
        return sum;
    }

    /** Whether the SIMD kernel is in use (for the tests). */
    public static boolean simd() {
        return KERNEL instanceof PanamaDotProducts;
    }

    /** The lane count whose arithmetic the kernel follows (for the tests' plain-Java replica). */
    static int lanes() {
        return simd() ? PanamaDotProducts.lanes() : SCALAR_LANES;
    }

    private static Kernel loadKernel() {
        try {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && PanamaDotProducts.usable()) {
                return new PanamaDotProducts();
            }
        } catch (LinkageError e) {
            // the module is there but this class loader's module cannot read it: the scalar loop
        }
        return new ScalarKernel(SCALAR_LANES);
    }

    /** Lanes the fallback emulates where there is no SIMD kernel (any fixed number keeps its results reproducible). */
    static final int SCALAR_LANES = 8;

    /**
     * The same arithmetic as the SIMD kernel in plain Java, lane by lane: the fallback, and the tests' proof that the SIMD
     * results do not depend on how the JIT compiled them. Per lane l: acc[l] = fma(v[c·L + l], q[c·L + l], acc[l]) over the
     * whole chunks c; then L/2, L/4, …, 1 rounds of acc[l] += acc[(l + w) mod L] (all lanes at once); lane 0, then the tail
     * element by element with fused multiply-adds.
     */
    static final class ScalarKernel implements Kernel {
        private final int lanes;

        ScalarKernel(int lanes) {
            this.lanes = lanes;
        }

        @Override
        public float dot(float[] query, float[] vectors, int offset) {
            int dims = query.length;
            int bound = dims - dims % lanes;
            float[] acc = new float[lanes];
            for (int c = 0; c < bound; c += lanes) {
                for (int l = 0; l < lanes; l++) {
                    acc[l] = Math.fma(vectors[offset + c + l], query[c + l], acc[l]);
                }
            }
            return tail(query, vectors, offset, bound, laneSum(acc));
        }

        @Override
        public void dotBlock(float[] query, float[] vectors, int offset, double[] out, int at) {
            for (int j = 0; j < BLOCK; j++) {
                out[at + j] = dot(query, vectors, offset + j * query.length);
            }
        }

        static float laneSum(float[] acc) {
            int lanes = acc.length;
            float[] next = new float[lanes];
            for (int width = lanes >> 1; width > 0; width >>= 1) {
                for (int l = 0; l < lanes; l++) {
                    next[l] = acc[l] + acc[(l + width) % lanes];
                }
                System.arraycopy(next, 0, acc, 0, lanes);
            }
            return acc[0];
        }
    }
}
