package org.recsys.recommend.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code _recommend} endpoint's own cost (issue #5): on the 1M-item benchmark catalogue (built by
 * {@link RecommendBenchmark}), the same user looked up by id through a model, answered by {@code _recommend} (size 10,
 * default popularity backfill, signal breakdown and reasons) and by the equivalent raw {@code _search} with the
 * {@code recommend} query; also {@code _recommend} with per-value diversity caps. One client, interleaved rounds after a
 * warm-up. Overhead = (endpoint − raw) / raw.
 *
 * <pre>
 * java -cp … org.recsys.recommend.bench.EndpointOverheadBenchmark [--items 1000000] [--rounds 600] [--warmup-seconds 30]
 * </pre>
 */
public final class EndpointOverheadBenchmark {

    private static final int USERS = 200;

    private EndpointOverheadBenchmark() {}

    public static void main(String[] args) throws Exception {
        int items = BenchOptions.intArg(args, "--items", 1_000_000);
        int rounds = BenchOptions.intArg(args, "--rounds", 600);
        int warmupSeconds = BenchOptions.intArg(args, "--warmup-seconds", 30);
        SyntheticCatalogue catalogue = new SyntheticCatalogue(items, 42);
        Path base = Path.of("/tmp/recommend-bench", "items-" + items + "-seed-42");
        try (BenchNode node = BenchNode.open(base, "4g")) {
            BenchHttp http = new BenchHttp(node.port());
            CatalogueLoader.ensure(http, base, catalogue, 3, "int8_hnsw");
            loadUsers(http, catalogue);
            http.put("/_recommend/model/bench", "{\"items\":{\"index\":\"" + CatalogueLoader.INDEX + "\",\"content\":[\"title\"]},"
                + "\"users\":{\"index\":\"bench_users\"},\"factors\":{\"dims\":" + SyntheticCatalogue.DIMS + "},"
                + "\"signals\":{\"collaborative\":{\"weight\":1},\"neighbors\":{\"weight\":0.5},\"content\":{\"fields\":[\"title\"],"
                + "\"weight\":0.3}}}");
            String[] raw = new String[USERS];
            String[] endpoint = new String[USERS];
            String[] diverse = new String[USERS];
            for (int u = 0; u < USERS; u++) {
                raw[u] = "{\"size\":10,\"query\":{\"recommend\":{\"model\":\"bench\",\"user\":\"bu" + u + "\"}}}";
                endpoint[u] = "{\"model\":\"bench\",\"user\":\"bu" + u + "\",\"size\":10}";
                diverse[u] = "{\"model\":\"bench\",\"user\":\"bu" + u
                        + "\",\"size\":10,\"diversity\":{\"field\":\"genres\",\"max_per_value\":3}}";
            }
            String index = "/" + CatalogueLoader.INDEX;
            System.out.printf(Locale.ROOT, "Warming up for %d s...%n", warmupSeconds);
            long deadline = System.nanoTime() + warmupSeconds * 1_000_000_000L;
            for (int q = 0; System.nanoTime() < deadline; q++) {
                http.post(index + "/_search", raw[q % USERS], BenchHttp.QUERY_TIMEOUT);
                http.post(index + "/_recommend", endpoint[q % USERS], BenchHttp.QUERY_TIMEOUT);
                http.post(index + "/_recommend", diverse[q % USERS], BenchHttp.QUERY_TIMEOUT);
            }
            long[][] nanos = new long[3][rounds];
            long[] backfilled = new long[3];
            for (int r = 0; r < rounds; r++) {
                int u = r % USERS;
                for (int k = 0; k < 3; k++) {
                    int variant = (r + k) % 3; // rotate the order so no variant always follows another
                    String path = variant == 0 ? index + "/_search" : index + "/_recommend";
                    String body = variant == 0 ? raw[u] : variant == 1 ? endpoint[u] : diverse[u];
                    long start = System.nanoTime();
                    JsonNode response = http.post(path, body, BenchHttp.QUERY_TIMEOUT);
                    nanos[variant][r] = System.nanoTime() - start;
                    for (JsonNode rec : response.path("recommendations")) {
                        backfilled[variant] += rec.path("backfill").asBoolean() ? 1 : 0;
                    }
                }
            }
            List<LatencyStats> stats = new ArrayList<>();
            stats.add(new LatencyStats("raw _search with the recommend query (model, user by id), size 10", nanos[0]));
            stats.add(new LatencyStats("_recommend, size 10 (signals, reasons, backfill)", nanos[1]));
            stats.add(new LatencyStats("_recommend, size 10, diversity genres max 3", nanos[2]));
            System.out.println();
            System.out.printf(Locale.ROOT, "%,d items, %d users, %d interleaved rounds, one client%n%n", items, USERS, rounds);
            System.out.println("| variant | p50 ms | p99 ms | mean ms | requests/s |");
            System.out.println("|---|---|---|---|---|");
            for (LatencyStats s : stats) {
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.1f |%n", s.name(), s.p50Millis(), s.p99Millis(),
                        s.meanMillis(),
                    s.queriesPerSecond());
            }
            System.out.println();
            for (int v = 1; v < 3; v++) {
                System.out.printf(Locale.ROOT, "%s: %.1f %% of the recommendations came from backfill%n", stats.get(v).name(),
                    100.0 * backfilled[v] / (10.0 * rounds));
            }
            for (int v = 1; v < 3; v++) {
                System.out.printf(Locale.ROOT, "overhead of %s over raw: p50 %+.1f %%, mean %+.1f %% (target < 20 %%)%n",
                        stats.get(v).name(),
                    100 * (stats.get(v).p50Millis() / stats.get(0).p50Millis() - 1),
                            100 * (stats.get(v).meanMillis() / stats.get(0).meanMillis() - 1));
            }
        }
        System.exit(0);
    }

    /** Profiles for users bu0…: each one's vector and 50-item history from the catalogue's own user generator. */
    private static void loadUsers(BenchHttp http, SyntheticCatalogue catalogue) {
        try {
            http.delete("/bench_users");
        } catch (IllegalStateException e) {
            // not there yet
        }
        http.put("/bench_users", "{\"mappings\":{\"properties\":{\"factors\":{\"type\":\"dense_vector\",\"dims\":" + SyntheticCatalogue.DIMS
            + ",\"index\":false},\"history\":{\"type\":\"object\",\"enabled\":false}}}}");
        StringBuilder bulk = new StringBuilder();
        List<SyntheticCatalogue.User> users = catalogue.users(USERS, 0);
        for (int u = 0; u < users.size(); u++) {
            ObjectNode doc = BenchHttp.MAPPER.createObjectNode();
            ArrayNode v = doc.putArray("factors");
            for (float f : users.get(u).vector()) {
                v.add(f);
            }
            ArrayNode h = doc.putArray("history");
            for (int item : users.get(u).history()) {
                h.addObject().put("item", SyntheticCatalogue.id(item)).put("weight", 1.0);
            }
            bulk.append("{\"index\":{\"_index\":\"bench_users\",\"_id\":\"bu").append(u).append("\"}}\n").append(doc).append('\n');
        }
        http.ndjson("/_bulk?refresh=true", bulk.toString(), BenchHttp.QUERY_TIMEOUT);
    }
}
