package org.recsys.recommend.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD form of {@link DotProducts}, loaded only when the vector module is readable. Every operation is defined lane
 * by lane (fused multiply-add, rotation, addition), so compiled and interpreted code give the same bits; the API's own
 * {@code reduceLanes(ADD)} does not (the interpreter adds the lanes in order, the compiler as a tree).
 */
final class PanamaDotProducts implements DotProducts.Kernel {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Rotations by L/2, L/4, …, 1 lanes: the lane sum's tree, see {@link DotProducts.ScalarKernel#laneSum}. */
    private static final VectorShuffle<Float>[] ROTATIONS = rotations();

    /** SIMD pays only with real vector registers (the API falls back to slow Java code without them). */
    static boolean usable() {
        return SPECIES.vectorBitSize() >= 128;
    }

    static int lanes() {
        return SPECIES.length();
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] rotations() {
        int lanes = SPECIES.length();
        VectorShuffle<Float>[] out = new VectorShuffle[Integer.numberOfTrailingZeros(lanes)];
        int step = 0;
        for (int width = lanes >> 1; width > 0; width >>= 1) {
            int w = width;
            out[step++] = VectorShuffle.fromOp(SPECIES, lane -> (lane + w) % lanes);
        }
        return out;
    }

    private static float laneSum(FloatVector acc) {
        for (VectorShuffle<Float> rotation : ROTATIONS) {
            acc = acc.add(acc.rearrange(rotation));
        }
        return acc.lane(0);
    }

    @Override
    public float dot(float[] query, float[] vectors, int offset) {
        int dims = query.length;
        int bound = SPECIES.loopBound(dims);
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            acc = FloatVector.fromArray(SPECIES, vectors, offset + i).fma(FloatVector.fromArray(SPECIES, query, i), acc);
        }
        return DotProducts.tail(query, vectors, offset, bound, laneSum(acc));
    }

    @Override
    public void dotBlock(float[] query, float[] vectors, int offset, double[] out, int at) {
        int dims = query.length;
        int bound = SPECIES.loopBound(dims);
        int o1 = offset + dims;
        int o2 = o1 + dims;
        int o3 = o2 + dims;
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        // one query chunk, four vectors: the four multiply-add chains (and then the four lane sums) are independent
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector q = FloatVector.fromArray(SPECIES, query, i);
            acc0 = FloatVector.fromArray(SPECIES, vectors, offset + i).fma(q, acc0);
            acc1 = FloatVector.fromArray(SPECIES, vectors, o1 + i).fma(q, acc1);
            acc2 = FloatVector.fromArray(SPECIES, vectors, o2 + i).fma(q, acc2);
            acc3 = FloatVector.fromArray(SPECIES, vectors, o3 + i).fma(q, acc3);
        }
        out[at] = DotProducts.tail(query, vectors, offset, bound, laneSum(acc0));
        out[at + 1] = DotProducts.tail(query, vectors, o1, bound, laneSum(acc1));
        out[at + 2] = DotProducts.tail(query, vectors, o2, bound, laneSum(acc2));
        out[at + 3] = DotProducts.tail(query, vectors, o3, bound, laneSum(acc3));
    }
}
