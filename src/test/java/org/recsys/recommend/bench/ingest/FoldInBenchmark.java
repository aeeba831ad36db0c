package org.recsys.recommend.bench.ingest;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.recsys.recommend.math.FoldInSolver;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The fold-in's compute alone, as {@code recommend_update} runs it per event: one exact implicit-ALS solve
 * (G + Σ α r y yᵀ + λI) x = Σ (1 + α r) y for a history of 50 items at k = 64, on one thread. Target: ≥ 20,000 solves/s.
 * Compile with {@code javac -proc:full} and run {@code org.openjdk.jmh.Main FoldInBenchmark -f 1 -wi 3 -i 5 -t 1}: the
 * exact commands are in docs/benchmarks-ingest.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FoldInBenchmark {

    @Param({ "64" })
    public int k;

    @Param({ "50" })
    public int history;

    private FoldInSolver solver;
    private final List<List<float[]>> histories = new ArrayList<>();
    private final List<float[]> strengths = new ArrayList<>();
    private int next;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        int items = 10_000;
        float[][] y = new float[items][k];
        double[] gramian = new double[k * k];
        for (float[] row : y) {
            for (int d = 0; d < k; d++) {
                row[d] = (float) (random.nextGaussian() * 0.1);
            }
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    gramian[i * k + j] += (double) row[i] * row[j];
                }
            }
        }
        solver = new FoldInSolver(gramian, k, 0.1, 10);
        // a few distinct histories, cycled, so the JIT cannot specialise on one input
        for (int h = 0; h < 64; h++) {
            List<float[]> factors = new ArrayList<>(history);
            float[] r = new float[history];
            for (int n = 0; n < history; n++) {
                factors.add(y[random.nextInt(items)]);
                r[n] = 1 + random.nextInt(5);
            }
            histories.add(factors);
            strengths.add(r);
        }
    }

    @Benchmark
    public float[] solve() {
        int h = next++ & 63;
        return solver.solve(histories.get(h), strengths.get(h));
    }
}
