package org.recsys.recommend.math;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD form of {@link Int8Codes#dot}: 16 bytes of each side widened to 16 shorts, multiplied, widened again to two
 * halves of 8 ints and accumulated. Integer sums are exact, so this gives the scalar loop's result bit for bit (a plain
 * loop over bytes was a third of a probing query's time: the JIT did not vectorize it).
 */
final class PanamaInt8Dots implements Int8Codes.Kernel {

    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;

    /** Needs 256-bit registers; the API's fallback without them is slower than the scalar loop. */
    static boolean usable() {
        return IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    @Override
    public int dot(byte[] query, byte[] codes, int offset) {
        int dims = query.length;
        int bound = BYTES.loopBound(dims);
        IntVector acc = IntVector.zero(INTS);
        for (int i = 0; i < bound; i += BYTES.length()) {
            ShortVector a = (ShortVector) ByteVector.fromArray(BYTES, query, i).convertShape(VectorOperators.B2S, SHORTS, 0);
            ShortVector b = (ShortVector) ByteVector.fromArray(BYTES, codes, offset + i).convertShape(VectorOperators.B2S, SHORTS, 0);
            ShortVector product = a.mul(b); // |a·b| ≤ 127² fits a short
            acc = acc.add(product.convertShape(VectorOperators.S2I, INTS, 0)).add(product.convertShape(VectorOperators.S2I, INTS, 1));
        }
        int sum = acc.reduceLanes(VectorOperators.ADD);
        for (int i = bound; i < dims; i++) {
            sum += query[i] * codes[offset + i];
        }
        return sum;
    }
}
