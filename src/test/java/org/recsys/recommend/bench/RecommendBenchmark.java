package org.recsys.recommend.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The speed benchmark of the {@code recommend} query against what a user of stock Elasticsearch would write, on one node,
 * one data set, one run: see docs/benchmarks.md for the command, the method and the results.
 *
 * <p>Steps: generate the synthetic catalogue (a pure function of the seed), start or reuse the benchmark node and load the
 * catalogue if it is not there yet, warm up with every variant, time the variants interleaved (one client, sequential, the
 * order rotated each round so no variant always follows another), time the exact full scans, measure this machine's
 * memory-read bound, then measure recall against the exact references.
 */
public final class RecommendBenchmark {

    private RecommendBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        SyntheticCatalogue catalogue = new SyntheticCatalogue(options.items(), options.seed());
        long start = System.nanoTime();
        float[] matrix = BruteForce.matrixOf(catalogue);
        System.out.printf(Locale.ROOT, "Generated the %,d x %d factor matrix in %.1f s%n", options.items(), SyntheticCatalogue.DIMS,
            (System.nanoTime() - start) / 1e9);
        BenchReport report = new BenchReport(options);
        try (BenchNode node = BenchNode.open(options.nodeBase(), options.heap())) {
            System.out.println("Benchmark node on port " + node.port() + (node.reused() ? " (reused home " : " (fresh home ")
                + node.base() + ")");
            BenchHttp http = new BenchHttp(node.port());
            report.loaded(CatalogueLoader.ensure(http, options.nodeBase(), catalogue, options.loadThreads(),
                options.indexType()));
            if (options.loadOnly()) {
                System.out.println("Catalogue ready in " + options.nodeBase() + " (--load-only: no timing)");
                node.close();
                System.exit(0);
            }

            // set either way: the catalogue (and its index settings) is reused from run to run
            http.put("/" + CatalogueLoader.INDEX + "/_settings", // fails the run unless acknowledged
                "{\"index.recommend.factor_partitions.enabled\":" + options.factorPartitions() + "}");
            System.out.println("index.recommend.factor_partitions.enabled: " + options.factorPartitions());

            List<QueryBodies> users = catalogue.users(options.users(), 0).stream().map(u -> new QueryBodies(catalogue, u)).toList();
            List<Variant> timed = Variant.timed();
            String[][][] bodies = prepare(timed, users);
            warmUp(http, timed, bodies, options.warmupSeconds());
            report.latencies(time(http, timed, bodies, options.queries()));

            List<Variant> breakdown = Variant.breakdown();
            report.breakdown(time(http, breakdown, prepare(breakdown, users), Math.max(1, options.queries() / 2)));

            // users 3,000,000 on: never sent before (the main rounds use 0.., recall 1,000,000..), each timed once
            List<Variant> firstSight = Variant.firstSight();
            int firstSightRounds = Math.max(1, options.queries() / 2);
            List<QueryBodies> newUsers = catalogue.users(firstSightRounds, 3_000_000).stream().map(u -> new QueryBodies(catalogue, u))
                .toList();
            report.firstSight(time(http, firstSight, prepare(firstSight, newUsers), firstSightRounds));

            List<Variant> exact = Variant.exact();
            String[][][] exactBodies = prepare(exact, users);
            time(http, exact, exactBodies, 3);
            report.exactLatencies(time(http, exact, exactBodies, options.exactQueries()));
            report.bandwidth(MemoryBandwidth.measure(matrix, 10));

            System.out.println("Measuring recall...");
            List<QueryBodies> recallUsers = catalogue.users(options.recallUsers(), 1_000_000)
                .stream()
                .map(u -> new QueryBodies(catalogue, u))
                .toList();
            report.recall(RecallCheck.run(http, new BruteForce(matrix, SyntheticCatalogue.DIMS), recallUsers));
            report.write();
        }
        System.exit(0);
    }

    private static String[][][] prepare(List<Variant> variants, List<QueryBodies> users) {
        String[][][] bodies = new String[variants.size()][users.size()][];
        for (int v = 0; v < variants.size(); v++) {
            for (int u = 0; u < users.size(); u++) {
                bodies[v][u] = variants.get(v).bodies().apply(users.get(u));
            }
        }
        return bodies;
    }

    private static void warmUp(BenchHttp http, List<Variant> variants, String[][][] bodies, int seconds) {
        System.out.printf(Locale.ROOT, "Warming up for %d s...%n", seconds);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        int users = bodies[0].length;
        for (int q = 0; System.nanoTime() < deadline; q++) {
            for (int v = 0; v < variants.size(); v++) {
                variants.get(v).run(http, bodies[v][q % users]);
            }
        }
    }

    /** Each round sends one query of every variant, for the same user, starting with a different variant each round. */
    private static List<LatencyStats> time(BenchHttp http, List<Variant> variants, String[][][] bodies, int queries) {
        int users = bodies[0].length;
        long[][] nanos = new long[variants.size()][queries];
        long reportEvery = Math.max(1, queries / 4);
        for (int q = 0; q < queries; q++) {
            for (int k = 0; k < variants.size(); k++) {
                int v = (q + k) % variants.size();
                long start = System.nanoTime();
                List<String> ids = variants.get(v).run(http, bodies[v][q % users]);
                nanos[v][q] = System.nanoTime() - start;
                if (ids.size() != Variant.TOP && ids.size() != SyntheticCatalogue.HISTORY) {
                    throw new IllegalStateException(variants.get(v).name() + " returned " + ids.size() + " hits, expected " + Variant.TOP);
                }
            }
            if ((q + 1) % reportEvery == 0) {
                System.out.printf(Locale.ROOT, "  timed %d/%d rounds%n", q + 1, queries);
            }
        }
        List<LatencyStats> stats = new ArrayList<>();
        for (int v = 0; v < variants.size(); v++) {
            stats.add(new LatencyStats(variants.get(v).name(), nanos[v]));
        }
        return stats;
    }
}
