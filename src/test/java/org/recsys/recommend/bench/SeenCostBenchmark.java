package org.recsys.recommend.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a large seen set costs: users whose profile excludes 10,000 items (50 in {@code history}, 9,950 in {@code seen})
 * against users who exclude 50 (their history, no {@code seen}), through {@code _recommend} (size 10) and through the
 * {@code recommend} query in {@code _search} (size 10), by user id through a model. Every timed request is for a user
 * sent nothing before, so neither the node's query cache nor the plugin's per-user caches see a repeated user; the query
 * cache is also cleared before each phase. After a warm-up, one phase per concurrency (1, then 2 clients), each made of
 * blocks of {@code --block} requests of one (kind, request) cell, the cells rotated from block to block.
 *
 * <pre>
 * java -cp … org.recsys.recommend.bench.SeenCostBenchmark [--items 100000] [--requests 240] [--block 20] [--warmup-seconds 30]
 * </pre>
 */
public final class SeenCostBenchmark {

    private static final String USERS = "seen_users";
    private static final int SEEN = 10_000;
    private static final int WARMUP_USERS = 40;
    private static final String[] KINDS = { "50 seen", "10,000 seen" };
    private static final String[] REQUESTS = { "_recommend", "_search recommend query" };
    private static final int[] CLIENTS = { 1, 2 };

    private SeenCostBenchmark() {}

    public static void main(String[] args) throws Exception {
        int items = BenchOptions.intArg(args, "--items", 100_000);
        int perCell = BenchOptions.intArg(args, "--requests", 240); // per kind, request and concurrency
        int block = BenchOptions.intArg(args, "--block", 20);
        int warmupSeconds = BenchOptions.intArg(args, "--warmup-seconds", 30);
        perCell = Math.max(1, perCell / block) * block;
        // every user is sent once in the timed phases: per kind, warm-up users, then per phase both requests' users
        int perKind = WARMUP_USERS + CLIENTS.length * REQUESTS.length * perCell;
        System.out.println("Reproduce with:\n  " + command(args));
        SyntheticCatalogue catalogue = new SyntheticCatalogue(items, 42);
        Path base = Path.of("/tmp/recommend-bench", "items-" + items + "-seed-42");
        try (BenchNode node = BenchNode.open(base, "4g")) {
            BenchHttp http = new BenchHttp(node.port());
            CatalogueLoader.ensure(http, base, catalogue, 3, "int8_hnsw");
            BitSet[][] excluded = loadUsers(http, catalogue, perKind);
            String index = "/" + CatalogueLoader.INDEX;
            AtomicLong problems = new AtomicLong();
            Cell cell = (kind, request, user, client) -> {
                String id = (kind == 0 ? "l" : "h") + user;
                String body = request == 0
                    ? "{\"model\":\"seen\",\"user\":\"" + id + "\",\"size\":10}"
                    : "{\"size\":10,\"query\":{\"recommend\":{\"model\":\"seen\",\"user\":\"" + id + "\"}}}";
                long start = System.nanoTime();
                JsonNode response = client.post(index + (request == 0 ? "/_recommend" : "/_search"), body, BenchHttp.QUERY_TIMEOUT);
                long nanos = System.nanoTime() - start;
                JsonNode hits = request == 0 ? response.path("recommendations") : response.path("hits").path("hits");
                int count = 0;
                for (JsonNode hit : hits) {
                    count++;
                    if (excluded[kind][user].get(Integer.parseInt(hit.path("_id").asText().substring(1)))) {
                        problems.incrementAndGet(); // a seen item came back
                    }
                }
                if (count != 10) {
                    problems.incrementAndGet();
                }
                return nanos;
            };
            System.out.printf(Locale.ROOT, "Warming up for %d s...%n", warmupSeconds);
            long deadline = System.nanoTime() + warmupSeconds * 1_000_000_000L;
            for (int q = 0; System.nanoTime() < deadline; q++) {
                cell.send(q % 2, (q / 2) % 2, (q / 4) % WARMUP_USERS, http);
            }
            List<String> rows = new ArrayList<>();
            List<String> ratios = new ArrayList<>();
            for (int phase = 0; phase < CLIENTS.length; phase++) {
                int clients = CLIENTS[phase];
                http.post("/_cache/clear?query=true", null, BenchHttp.QUERY_TIMEOUT);
                JsonNode before = queryCache(http);
                long[][][] nanos = new long[KINDS.length][REQUESTS.length][perCell];
                long[][] wall = new long[KINDS.length][REQUESTS.length];
                ExecutorService pool = Executors.newFixedThreadPool(clients, r -> new Thread(r, "bench-client"));
                List<BenchHttp> connections = new ArrayList<>();
                for (int t = 0; t < clients; t++) {
                    connections.add(new BenchHttp(node.port()));
                }
                try {
                    for (int b = 0; b < perCell / block; b++) {
                        for (int k = 0; k < 4; k++) {
                            int c = (b + k) % 4; // rotate so no cell always follows another
                            int kind = c / 2;
                            int request = c % 2;
                            int from = b * block;
                            int firstUser = WARMUP_USERS + (phase * REQUESTS.length + request) * perCell;
                            AtomicInteger next = new AtomicInteger(from);
                            List<Future<?>> futures = new ArrayList<>();
                            long start = System.nanoTime();
                            for (BenchHttp connection : connections) {
                                futures.add(pool.submit(() -> {
                                    for (int j = next.getAndIncrement(); j < from + block; j = next.getAndIncrement()) {
                                        nanos[kind][request][j] = cell.send(kind, request, firstUser + j, connection);
                                    }
                                    return null;
                                }));
                            }
                            for (Future<?> future : futures) {
                                future.get();
                            }
                            wall[kind][request] += System.nanoTime() - start;
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
                JsonNode after = queryCache(http);
                System.out.printf(Locale.ROOT, "%d client(s): query cache (cleared before the phase) hits +%d, misses +%d, "
                    + "filters cached +%d, in cache now %d (%d bytes)%n", clients,
                    after.path("hit_count").asLong() - before.path("hit_count").asLong(),
                    after.path("miss_count").asLong() - before.path("miss_count").asLong(),
                    after.path("cache_count").asLong() - before.path("cache_count").asLong(), after.path("cache_size").asLong(),
                    after.path("memory_size_in_bytes").asLong());
                for (int request = 0; request < REQUESTS.length; request++) {
                    LatencyStats[] stats = new LatencyStats[KINDS.length];
                    double[] throughput = new double[KINDS.length];
                    for (int kind = 0; kind < KINDS.length; kind++) {
                        stats[kind] = new LatencyStats(KINDS[kind], nanos[kind][request]);
                        throughput[kind] = perCell / (wall[kind][request] / 1e9);
                        rows.add(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2f | %.1f |", KINDS[kind], REQUESTS[request],
                            clients, stats[kind].p50Millis(), stats[kind].p99Millis(), stats[kind].meanMillis(), throughput[kind]));
                    }
                    ratios.add(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f |", REQUESTS[request], clients,
                        stats[1].p50Millis() / stats[0].p50Millis(), stats[1].p99Millis() / stats[0].p99Millis(),
                        stats[1].meanMillis() / stats[0].meanMillis(), throughput[1] / throughput[0]));
                }
            }
            System.out.printf(Locale.ROOT, "%n%,d items; %d users of each kind timed per request and concurrency, each sent once; "
                + "blocks of %d%n%n", items, perCell, block);
            System.out.println("| users | request | clients | p50 ms | p99 ms | mean ms | requests/s |");
            System.out.println("|---|---|---|---|---|---|---|");
            rows.forEach(System.out::println);
            System.out.println();
            System.out.println("| request | clients | p50 10k/50 | p99 10k/50 | mean 10k/50 | requests/s 10k/50 |");
            System.out.println("|---|---|---|---|---|---|");
            ratios.forEach(System.out::println);
            System.out.printf(Locale.ROOT, "%nshort pages or seen items returned: %d%n", problems.get());
        }
        System.exit(0);
    }

    /** One timed request: kind 0 = 50 seen, 1 = 10,000 seen; request 0 = {@code _recommend}, 1 = {@code _search}. */
    @FunctionalInterface
    private interface Cell {
        long send(int kind, int request, int user, BenchHttp client);
    }

    private static JsonNode queryCache(BenchHttp http) {
        JsonNode nodes = http.get("/_nodes/stats/indices/query_cache", BenchHttp.QUERY_TIMEOUT).path("nodes");
        return nodes.elements().next().path("indices").path("query_cache");
    }

    /**
     * The model {@code seen} and its users: {@code l<n>} (history only) and {@code h<n>} (history plus 9,950 seen items drawn
     * uniformly from the rest of the catalogue), each with the mean of its 50 history items' factors as its vector. Returns,
     * per kind and user, the items the user has seen.
     */
    private static BitSet[][] loadUsers(BenchHttp http, SyntheticCatalogue catalogue, int perKind) {
        try {
            http.delete("/" + USERS);
        } catch (IllegalStateException e) {
            // not there yet
        }
        // the model creates the users index with the fields it writes mapped (factors, history, seen)
        http.put("/_recommend/model/seen", "{\"items\":{\"index\":\"" + CatalogueLoader.INDEX + "\",\"content\":[\"title\"]},"
            + "\"users\":{\"index\":\"" + USERS + "\"},\"factors\":{\"dims\":" + SyntheticCatalogue.DIMS + "},"
            + "\"signals\":{\"collaborative\":{\"weight\":1},\"neighbors\":{\"weight\":0.5},\"content\":{\"fields\":[\"title\"],"
            + "\"weight\":0.3}}}");
        BitSet[][] excluded = new BitSet[2][perKind];
        long start = System.nanoTime();
        StringBuilder bulk = new StringBuilder();
        for (int u = 0; u < perKind; u++) {
            for (int kind = 0; kind < 2; kind++) {
                SyntheticCatalogue.User user = catalogue.user(2 * u + kind, true); // different histories for the two kinds
                BitSet seen = new BitSet(catalogue.size());
                bulk.append("{\"index\":{\"_index\":\"" + USERS + "\",\"_id\":\"").append(kind == 0 ? "l" : "h").append(u).append("\"}}\n");
                bulk.append("{\"factors\":[");
                for (int d = 0; d < user.vector().length; d++) {
                    bulk.append(d == 0 ? "" : ",").append(user.vector()[d]);
                }
                bulk.append("],\"history\":[");
                for (int h = 0; h < user.history().length; h++) {
                    seen.set(user.history()[h]);
                    bulk.append(h == 0 ? "" : ",").append("{\"item\":\"").append(SyntheticCatalogue.id(user.history()[h]));
                    bulk.append("\",\"weight\":1.0}");
                }
                bulk.append("]");
                if (kind == 1) {
                    bulk.append(",\"seen\":[");
                    SplittableRandom random = new SplittableRandom(7919L * u + 13);
                    for (int added = 0; seen.cardinality() < SEEN;) {
                        int item = random.nextInt(catalogue.size());
                        if (seen.get(item) == false) {
                            seen.set(item);
                            bulk.append(added++ == 0 ? "\"" : ",\"").append(SyntheticCatalogue.id(item)).append('"');
                        }
                    }
                    bulk.append("]");
                }
                bulk.append("}\n");
                excluded[kind][u] = seen;
            }
            if (bulk.length() > 8_000_000 || u == perKind - 1) {
                JsonNode response = http.ndjson("/_bulk", bulk.toString(), BenchHttp.QUERY_TIMEOUT);
                if (response.path("errors").asBoolean()) {
                    String text = response.toString();
                    throw new IllegalStateException("bulk errors: " + text.substring(0, Math.min(1500, text.length())));
                }
                bulk.setLength(0);
            }
        }
        http.post("/" + USERS + "/_refresh", null, BenchHttp.QUERY_TIMEOUT);
        System.out.printf(Locale.ROOT, "Wrote %,d profiles of each kind in %.1f s%n", perKind, (System.nanoTime() - start) / 1e9);
        return excluded;
    }

    private static String command(String[] args) {
        return "export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64\n  mvn -B -ntp -q -DskipTests package dependency:build-classpath "
            + "-Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test\n"
            + "  $JAVA_HOME/bin/java -Xms2g -Xmx2g -cp \"target/test-classes:target/classes:$(cat target/bench.classpath)\" \\\n"
            + "    -Drecommend.test.distribution=target/distribution/elasticsearch-9.5.4.zip \\\n"
            + "    -Drecommend.test.plugin=target/releases/recommend-0.1.0.zip -Drecommend.test.workdir=target/real-nodes \\\n"
            + "    org.recsys.recommend.bench.SeenCostBenchmark" + (args.length == 0 ? "" : " " + String.join(" ", args));
    }
}
