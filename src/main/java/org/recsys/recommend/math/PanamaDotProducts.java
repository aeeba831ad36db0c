package org.recsys.recommend.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The SIMD form of {@link DotProducts}: loaded only when the vector module is readable. */
final class PanamaDotProducts implements DotProducts.Kernel {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** SIMD pays only with real vector registers (the API falls back to slow Java code without them). */
    static boolean usable() {
        return SPECIES.vectorBitSize() >= 128;
    }

    @Override
    public float dot(float[] query, float[] vectors, int offset) {
        int dims = query.length;
        int bound = SPECIES.loopBound(dims);
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            acc = FloatVector.fromArray(SPECIES, vectors, offset + i).fma(FloatVector.fromArray(SPECIES, query, i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (int i = bound; i < dims; i++) {
            sum = Math.fma(query[i], vectors[offset + i], sum);
        }
        return sum;
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
        // one query chunk, four vectors: the four multiply-add chains (and then the four reductions) are independent
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector q = FloatVector.fromArray(SPECIES, query, i);
            acc0 = FloatVector.fromArray(SPECIES, vectors, offset + i).fma(q, acc0);
            acc1 = FloatVector.fromArray(SPECIES, vectors, o1 + i).fma(q, acc1);
            acc2 = FloatVector.fromArray(SPECIES, vectors, o2 + i).fma(q, acc2);
            acc3 = FloatVector.fromArray(SPECIES, vectors, o3 + i).fma(q, acc3);
        }
        float s0 = acc0.reduceLanes(VectorOperators.ADD);
        float s1 = acc1.reduceLanes(VectorOperators.ADD);
        float s2 = acc2.reduceLanes(VectorOperators.ADD);
        float s3 = acc3.reduceLanes(VectorOperators.ADD);
        for (int i = bound; i < dims; i++) {
            s0 = Math.fma(query[i], vectors[offset + i], s0);
            s1 = Math.fma(query[i], vectors[o1 + i], s1);
            s2 = Math.fma(query[i], vectors[o2 + i], s2);
            s3 = Math.fma(query[i], vectors[o3 + i], s3);
        }
        out[at] = s0;
        out[at + 1] = s1;
        out[at + 2] = s2;
        out[at + 3] = s3;
    }
}
