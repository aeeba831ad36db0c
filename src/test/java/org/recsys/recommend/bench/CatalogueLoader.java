package org.recsys.recommend.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the {@code items} index once: the mapping of the issue, concurrent {@code _bulk} clients with refresh off and no
 * replica, then a refresh and a force-merge to one segment. A marker file beside the node's home records what was loaded
 * and how long it took, so a later run with the same size and seed skips all of it.
 */
final class CatalogueLoader {

    static final String INDEX = "items";
    private static final int DOCS_PER_BULK = 1500;
    private static final Duration BULK_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration MERGE_TIMEOUT = Duration.ofMinutes(60);

    /** What the marker says: sizes and the time each step took. */
    record Loaded(int items, long seed, double loadSeconds, double mergeSeconds, boolean reused) {}

    private CatalogueLoader() {}

    static Loaded ensure(BenchHttp http, Path base, SyntheticCatalogue catalogue, int threads, String indexType) throws Exception {
        Path marker = base.resolve("catalogue.properties");
        if (Files.isRegularFile(marker)) {
            Properties p = new Properties();
            try (var in = Files.newInputStream(marker)) {
                p.load(in);
            }
            long count = http.get("/" + INDEX + "/_count", BenchHttp.QUERY_TIMEOUT).path("count").asLong(-1);
            if (Integer.parseInt(p.getProperty("items")) == catalogue.size() && Long.parseLong(p.getProperty("seed")) == catalogue.seed()
                && count == catalogue.size()) {
                return new Loaded(catalogue.size(), catalogue.seed(), Double.parseDouble(p.getProperty("load_seconds")),
                    Double.parseDouble(p.getProperty("merge_seconds")), true);
            }
        }
        Files.deleteIfExists(marker);
        http.get("/_cluster/health?wait_for_status=yellow&timeout=30s", BenchHttp.QUERY_TIMEOUT);
        try {
            http.delete("/" + INDEX);
        } catch (IllegalStateException e) {
            // no such index yet
        }
        http.put("/" + INDEX, mapping(indexType));
        long start = System.nanoTime();
        bulkLoad(http, catalogue, threads);
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "Loaded %,d items in %.0f s; refreshing and force-merging to one segment...%n", catalogue.size(),
            loadSeconds);
        start = System.nanoTime();
        http.post("/" + INDEX + "/_refresh", null, MERGE_TIMEOUT);
        http.post("/" + INDEX + "/_forcemerge?max_num_segments=1", null, MERGE_TIMEOUT);
        http.post("/" + INDEX + "/_refresh", null, MERGE_TIMEOUT);
        double mergeSeconds = (System.nanoTime() - start) / 1e9;
        JsonNode segments = http.get("/_cat/segments/" + INDEX + "?format=json", BenchHttp.QUERY_TIMEOUT);
        System.out.printf(Locale.ROOT, "Force-merged in %.0f s: %d segment(s)%n", mergeSeconds, segments.size());
        Files.writeString(marker, String.format(Locale.ROOT, "items=%d%nseed=%d%nload_seconds=%.1f%nmerge_seconds=%.1f%n",
            catalogue.size(), catalogue.seed(), loadSeconds, mergeSeconds));
        return new Loaded(catalogue.size(), catalogue.seed(), loadSeconds, mergeSeconds, false);
    }

    /** {@code int8_hnsw} is what Elasticsearch picks for 64 float dims; others are for checking what quantization costs. */
    private static String mapping(String indexType) {
        return """
            { "settings": { "number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1",
                            "translog.durability": "async" },
              "mappings": { "dynamic": "strict", "properties": {
                "factors":    { "type": "dense_vector", "dims": %d, "element_type": "float", "similarity": "max_inner_product",
                                "index": true, "index_options": { "type": "%s" } },
                "neighbors":  { "type": "sparse_vector" },
                "title":      { "type": "text" },
                "genres":     { "type": "keyword" },
                "popularity": { "type": "float" } } } }
            """.formatted(SyntheticCatalogue.DIMS, indexType);
    }

    private static void bulkLoad(BenchHttp http, SyntheticCatalogue catalogue, int threads) throws Exception {
        int bulks = (catalogue.size() + DOCS_PER_BULK - 1) / DOCS_PER_BULK;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> new Thread(r, "bench-bulk"));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                BenchHttp client = new BenchHttp(http.port());
                futures.add(pool.submit(() -> {
                    for (int b = next.getAndIncrement(); b < bulks; b = next.getAndIncrement()) {
                        sendBulk(client, catalogue, b * DOCS_PER_BULK, Math.min(catalogue.size(), (b + 1) * DOCS_PER_BULK));
                        int finished = done.incrementAndGet();
                        if (finished % 50 == 0 || finished == bulks) {
                            double seconds = (System.nanoTime() - start) / 1e9;
                            System.out.printf(Locale.ROOT, "  bulk %d/%d (%.0f s, %.0f docs/s)%n", finished, bulks, seconds,
                                (double) finished * DOCS_PER_BULK / seconds);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void sendBulk(BenchHttp http, SyntheticCatalogue catalogue, int from, int to) {
        StringBuilder body = new StringBuilder((to - from) * 1800);
        for (int i = from; i < to; i++) {
            SyntheticCatalogue.Item item = catalogue.item(i);
            body.append("{\"index\":{\"_id\":\"").append(item.id()).append("\"}}\n");
            appendDoc(body, item);
        }
        for (int attempt = 1;; attempt++) {
            try {
                JsonNode response = http.ndjson("/" + INDEX + "/_bulk", body.toString(), BULK_TIMEOUT);
                if (response.path("errors").asBoolean()) {
                    String text = response.toString();
                    throw new IllegalStateException("bulk item errors: " + text.substring(0, Math.min(1500, text.length())));
                }
                return;
            } catch (IllegalStateException | UncheckedIOException e) {
                if (attempt == 3 || e.getMessage().contains("HTTP 429") == false && e instanceof UncheckedIOException == false) {
                    throw e;
                }
                sleep(2000L * attempt);
            }
        }
    }

    private static void appendDoc(StringBuilder body, SyntheticCatalogue.Item item) {
        body.append("{\"title\":\"").append(item.title()).append("\",\"genres\":[");
        for (int g = 0; g < item.genres().length; g++) {
            body.append(g == 0 ? "\"" : ",\"").append(item.genres()[g]).append('"');
        }
        body.append("],\"popularity\":").append(item.popularity()).append(",\"factors\":[");
        float[] factors = item.factors();
        for (int d = 0; d < factors.length; d++) {
            body.append(d == 0 ? "" : ",").append(factors[d]);
        }
        body.append("],\"neighbors\":{");
        for (int n = 0; n < item.neighbors().length; n++) {
            body.append(n == 0 ? "\"" : ",\"").append(SyntheticCatalogue.id(item.neighbors()[n]));
            body.append("\":").append(item.similarities()[n]);
        }
        body.append("}}\n");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
