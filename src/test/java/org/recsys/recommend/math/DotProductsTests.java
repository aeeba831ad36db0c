package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DotProductsTests {

    /** Σ q[i]·v[i] in double: the oracle; float sums in any order stay within a few ulps of the sum of |terms|. */
    private static double reference(float[] query, float[] vectors, int offset) {
        double sum = 0;
        for (int i = 0; i < query.length; i++) {
            sum += (double) query[i] * vectors[offset + i];
        }
        return sum;
    }

    private static double magnitude(float[] query, float[] vectors, int offset) {
        double sum = 0;
        for (int i = 0; i < query.length; i++) {
            sum += Math.abs((double) query[i] * vectors[offset + i]);
        }
        return sum;
    }

    private static float[] random(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * Math.exp(random.nextGaussian()));
        }
        return v;
    }

    @Test
    void theTestJvmHasTheSimdKernelAsElasticsearchNodesDo() {
        // surefire runs with --add-modules jdk.incubator.vector (as Elasticsearch does): the tests below check the SIMD code
        assertTrue(DotProducts.simd(), "the SIMD kernel should load where the vector module is present");
    }

    @Test
    void everyVectorOfABatchEqualsTheExactSumForDimsWithAndWithoutATail() {
        Random random = new Random(42);
        // 64 = whole SIMD chunks on any width; 1, 7, 17, 100 leave a tail; counts leave 0-3 vectors outside the blocks of 4
        for (int dims : new int[] { 1, 7, 16, 17, 64, 100 }) {
            for (int count : new int[] { 1, 3, 4, 5, 8, 11 }) {
                float[] query = random(random, dims);
                float[] vectors = random(random, dims * count);
                double[] out = new double[count + 2];
                out[0] = -7; // the batch goes to [at, at + count): nothing else is touched
                out[count + 1] = -7;
                DotProducts.dots(query, vectors, count, out, 1);
                assertEquals(-7, out[0]);
                assertEquals(-7, out[count + 1]);
                for (int j = 0; j < count; j++) {
                    double expected = reference(query, vectors, j * dims);
                    double tolerance = 1e-6 * magnitude(query, vectors, j * dims);
                    assertEquals(expected, out[1 + j], tolerance, "dims " + dims + ", count " + count + ", vector " + j);
                    assertEquals(expected, DotProducts.dot(query, vectors, j * dims), tolerance, "single, dims " + dims);
                }
            }
        }
    }

    @Test
    void theSimdKernelGivesExactlyThePlainJavaReplicasBitsOnceCompiled() {
        // The replica is plain Java, whose float arithmetic is the same in every JIT tier; the SIMD kernel, called often
        // enough here to be compiled, must match it bit for bit: so its results cannot depend on how it was compiled (a
        // training's first run on a fresh node reproduces a later one). Lane sums via reduceLanes(ADD) fail this.
        Random random = new Random(7);
        DotProducts.ScalarKernel replica = new DotProducts.ScalarKernel(DotProducts.lanes());
        for (int trial = 0; trial < 50_000; trial++) {
            int dims = 1 + random.nextInt(130);
            float[] query = random(random, dims);
            float[] vectors = random(random, dims * DotProducts.BLOCK);
            double[] simd = new double[DotProducts.BLOCK];
            double[] plain = new double[DotProducts.BLOCK];
            DotProducts.dots(query, vectors, DotProducts.BLOCK, simd, 0);
            replica.dotBlock(query, vectors, 0, plain, 0);
            for (int j = 0; j < DotProducts.BLOCK; j++) {
                assertEquals(plain[j], simd[j], 0.0, "dims " + dims + ", vector " + j + ", trial " + trial);
            }
            assertEquals(replica.dot(query, vectors, dims), DotProducts.dot(query, vectors, dims), 0.0, "single, dims " + dims);
        }
    }

    @Test
    void zeroAndOrthogonalVectorsGiveExactlyZero() {
        float[] query = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
        float[] vectors = new float[17 * 4];
        vectors[17 + 1] = 5; // vector 1 is orthogonal to the query
        vectors[34 + 16] = 0.5f; // vector 2: 2 × 0.5 in the tail
        vectors[51] = -3; // vector 3: 1 × -3 in the first chunk
        double[] out = new double[4];
        DotProducts.dots(query, vectors, 4, out, 0);
        assertEquals(0.0, out[0]);
        assertEquals(0.0, out[1]);
        assertEquals(1.0, out[2]);
        assertEquals(-3.0, out[3]);
    }
}
