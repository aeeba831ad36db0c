package org.recsys.recommend.bench;

import org.recsys.recommend.math.ImplicitAls;
import org.recsys.recommend.math.Interactions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Issue #6's throughput figure: implicit ALS at 64 factors on a synthetic 5M-interaction set, in interactions × iterations
 * per second, with the same solver class the node's {@code _train} runs ({@link ImplicitAls}, CG steps 3 as
 * {@code _train}'s default) on a pool of {@code --threads} threads. The data has a Zipf-like item popularity (s = 0.8)
 * and users with 10 to 90 interactions, so both half steps see skewed row lengths as in real logs.
 *
 * <pre>
 * java -Xmx6g -cp ... org.recsys.recommend.bench.AlsThroughputBenchmark --interactions 5000000 --threads 2 --iterations 5
 * </pre>
 */
public final class AlsThroughputBenchmark {

    private AlsThroughputBenchmark() {}

    public static void main(String[] args) throws Exception {
        int target = BenchOptions.intArg(args, "--interactions", 5_000_000);
        int threads = BenchOptions.intArg(args, "--threads", 2);
        int iterations = BenchOptions.intArg(args, "--iterations", 5);
        int items = BenchOptions.intArg(args, "--items", 50_000);
        int factors = BenchOptions.intArg(args, "--factors", 64);
        Interactions data = generate(target, items, new Random(42));
        System.out.printf(Locale.ROOT, "%,d users x %,d items, %,d interactions; %d factors, %d iterations, %d threads, CG steps 3%n",
            data.rows(), data.cols(), data.nnz(), factors, iterations, threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Long> perIteration = new ArrayList<>();
            long start = System.nanoTime();
            new ImplicitAls(factors, 10, 10, 3, 42).fit(data, iterations, pool, threads, () -> false,
                (it, nanos) -> {
                    perIteration.add(nanos);
                    System.out.printf(Locale.ROOT, "  iteration %d: %.2f s%n", it, nanos / 1e9);
                });
            double seconds = (System.nanoTime() - start) / 1e9;
            // the first iteration warms up the JIT: report the steady state next to the whole fit
            long steady = perIteration.subList(1, perIteration.size()).stream().mapToLong(Long::longValue).sum();
            double steadyRate = (double) data.nnz() * (perIteration.size() - 1) / (steady / 1e9);
            System.out.printf(Locale.ROOT, "fit %.2f s: %,.0f interactions x iterations / s overall, %,.0f after the first iteration "
                + "(target >= 3,000,000)%n", seconds, data.nnz() * (double) iterations / seconds, steadyRate);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Interactions generate(int target, int items, Random random) {
        double[] cumulative = new double[items];
        double sum = 0;
        for (int i = 0; i < items; i++) {
            sum += 1 / Math.pow(i + 1, 0.8);
            cumulative[i] = sum;
        }
        List<int[]> rows = new ArrayList<>();
        int total = 0;
        while (total < target) {
            int length = Math.min(target - total, 10 + random.nextInt(81));
            Set<Integer> picked = new TreeSet<>();
            while (picked.size() < length) {
                double u = random.nextDouble() * sum;
                int lo = 0;
                int hi = items - 1;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (cumulative[mid] < u) {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                picked.add(lo);
            }
            rows.add(picked.stream().mapToInt(Integer::intValue).toArray());
            total += length;
        }
        int[] rowOf = new int[total];
        int[] colOf = new int[total];
        float[] valueOf = new float[total];
        int n = 0;
        for (int r = 0; r < rows.size(); r++) {
            for (int c : rows.get(r)) {
                rowOf[n] = r;
                colOf[n] = c;
                valueOf[n] = 1 + random.nextInt(5);
                n++;
            }
        }
        return Interactions.fromTriples(rows.size(), items, rowOf, colOf, valueOf);
    }
}
