package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** int8 codes: the dot product (SIMD where available) equals the scalar sum, and codes approximate the floats. */
class Int8CodesTests {

    @Test
    void dotEqualsTheScalarSumForAnyLengthAndOffset() {
        Random random = new Random(4);
        for (int dims : new int[] { 1, 7, 16, 20, 64, 100 }) {
            byte[] query = new byte[dims];
            byte[] codes = new byte[3 * dims + 5];
            random.nextBytes(codes);
            for (int d = 0; d < dims; d++) {
                query[d] = (byte) (random.nextInt(255) - 127);
            }
            for (int offset : new int[] { 0, 5, 2 * dims }) {
                int expected = 0;
                for (int d = 0; d < dims; d++) {
                    expected += query[d] * codes[offset + d];
                }
                assertEquals(expected, Int8Codes.dot(query, codes, offset), "dims " + dims + " offset " + offset);
                assertEquals(expected, Int8Codes.scalarDot(query, codes, offset));
                if (PanamaInt8Dots.usable()) { // Int8Codes may be using it or not: test the SIMD kernel itself
                    assertEquals(expected, new PanamaInt8Dots().dot(query, codes, offset), "SIMD, dims " + dims);
                }
            }
        }
    }

    @Test
    void codesApproximateTheFloats() {
        float[] vector = { 0.5f, -1.27f, 0.001f, 1.0f };
        float scale = Int8Codes.scaleFor(vector);
        byte[] codes = new byte[4];
        Int8Codes.encode(vector, scale, codes, 0);
        assertEquals(-127, codes[1]);
        for (int d = 0; d < vector.length; d++) {
            assertTrue(Math.abs(codes[d] * scale - vector[d]) <= scale / 2 + 1e-6, "component " + d);
        }
        assertEquals(1f, Int8Codes.scaleFor(new float[3]));
    }
}
