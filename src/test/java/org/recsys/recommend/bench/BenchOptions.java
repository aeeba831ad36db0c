package org.recsys.recommend.bench;

import java.nio.file.Path;

/** Command-line options of {@link RecommendBenchmark}; every default is the full-size run. */
record BenchOptions(
    int items,
    long seed,
    int queries,
    int warmupSeconds,
    int users,
    int recallUsers,
    int exactQueries,
    Path home,
    String heap,
    int loadThreads,
    Path out,
    boolean loadOnly,
    String indexType,
    boolean factorPartitions
) {

    static final String USAGE = """
        usage: RecommendBenchmark [--items 1000000] [--seed 42] [--queries 800] [--warmup-seconds 60] [--users 200]
                                  [--recall-users 100] [--exact-queries 30] [--home /tmp/recommend-bench] [--heap 4g]
                                  [--load-threads 3] [--out target/benchmark-results.md] [--load-only]
                                  [--index-type int8_hnsw|hnsw|int4_hnsw|bbq_hnsw] [--factor-partitions on|off]""";

    /** {@code --name value} as an int, or the default when absent: for the benchmarks with a few integer options. */
    static int intArg(String[] args, String name, int defaultValue) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return defaultValue;
    }

    static BenchOptions parse(String[] args) {
        int items = 1_000_000;
        long seed = 42;
        int queries = 800;
        int warmup = 60;
        int users = 200;
        int recallUsers = 100;
        int exactQueries = 30;
        Path home = Path.of("/tmp/recommend-bench");
        String heap = "4g";
        int loadThreads = 3;
        Path out = Path.of("target/benchmark-results.md");
        boolean loadOnly = false;
        String indexType = "int8_hnsw";
        boolean factorPartitions = true; // the index setting's default
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--load-only")) {
                loadOnly = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after [" + args[i] + "]\n" + USAGE);
            }
            String value = args[++i];
            switch (args[i - 1]) {
                case "--items" -> items = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--queries" -> queries = Integer.parseInt(value);
                case "--warmup-seconds" -> warmup = Integer.parseInt(value);
                case "--users" -> users = Integer.parseInt(value);
                case "--recall-users" -> recallUsers = Integer.parseInt(value);
                case "--exact-queries" -> exactQueries = Integer.parseInt(value);
                case "--home" -> home = Path.of(value);
                case "--heap" -> heap = value;
                case "--load-threads" -> loadThreads = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                case "--index-type" -> indexType = value;
                case "--factor-partitions" -> factorPartitions = switch (value) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("[--factor-partitions] must be on or off\n" + USAGE);
                };
                default -> throw new IllegalArgumentException("unknown option [" + args[i - 1] + "]\n" + USAGE);
            }
        }
        if (queries < 1 || users < 2 || recallUsers < 2 || exactQueries < 1 || loadThreads < 1 || warmup < 0) {
            throw new IllegalArgumentException("counts must be positive (users and recall users at least 2)\n" + USAGE);
        }
        return new BenchOptions(
            items, seed, queries, warmup, users, recallUsers, exactQueries, home, heap, loadThreads, out, loadOnly, indexType,
            factorPartitions
        );
    }

    /** Where this catalogue's node lives: one home per (size, seed, vector index type), so runs do not reload each other's. */
    Path nodeBase() {
        String suffix = indexType.equals("int8_hnsw") ? "" : "-" + indexType;
        return home.resolve("items-" + items + "-seed-" + seed + suffix);
    }
}
