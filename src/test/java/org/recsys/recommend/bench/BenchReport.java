package org.recsys.recommend.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Collects the benchmark's measurements and writes them as Markdown: the tables docs/benchmarks.md quotes. */
final class BenchReport {

    private static final String RECALL_BLEND = "recommend 3 signals (default num_candidates 500) vs exact blend, @100";

    private final BenchOptions options;
    private CatalogueLoader.Loaded loaded;
    private List<LatencyStats> latencies;
    private List<LatencyStats> exact;
    private List<LatencyStats> breakdown;
    private List<LatencyStats> firstSight;
    private MemoryBandwidth.Measurement bandwidth;
    private List<RecallCheck.Result> recall;

    BenchReport(BenchOptions options) {
        this.options = options;
    }

    void loaded(CatalogueLoader.Loaded value) {
        this.loaded = value;
    }

    void latencies(List<LatencyStats> value) {
        this.latencies = value;
    }

    void firstSight(List<LatencyStats> value) {
        this.firstSight = value;
    }

    void breakdown(List<LatencyStats> value) {
        this.breakdown = value;
    }

    void exactLatencies(List<LatencyStats> value) {
        this.exact = value;
    }

    void bandwidth(MemoryBandwidth.Measurement value) {
        this.bandwidth = value;
    }

    void recall(List<RecallCheck.Result> value) {
        this.recall = value;
    }

    void write() throws IOException {
        StringBuilder md = new StringBuilder();
        line(md, "## Run: %,d items, seed %d", options.items(), options.seed());
        line(md, "");
        line(md, "- machine: %d cores seen by the JVM, %s %s; node heap %s", Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.name"), System.getProperty("java.version"), options.heap());
        line(md, "- catalogue: %,d items x %d-dim float factors (%d clusters), %d neighbors each, title/genres/popularity; %s",
            loaded.items(), SyntheticCatalogue.DIMS, SyntheticCatalogue.CLUSTERS, SyntheticCatalogue.NEIGHBORS,
            loaded.reused() ? "reused from an earlier run" : "loaded in this run");
        line(md, "- vectors: `dense_vector` indexed as `%s`", options.indexType());
        line(md, "- `index.recommend.factor_partitions.enabled`: %s", options.factorPartitions());
        line(md, "- load: %.0f s of `_bulk` (%d clients); refresh + force-merge to 1 segment: %.0f s", loaded.loadSeconds(),
            options.loadThreads(), loaded.mergeSeconds());
        line(md, "- timing: %d users (half random vectors, half mean of history), %d s warm-up, %d interleaved rounds, one client",
            options.users(), options.warmupSeconds(), options.queries());
        line(md, "");
        line(md, "| variant | queries | p50 ms | p99 ms | mean ms | queries/s |");
        line(md, "|---|---|---|---|---|---|");
        for (LatencyStats s : latencies) {
            row(md, s);
        }
        for (LatencyStats s : exact) {
            row(md, s);
        }
        line(md, "");
        line(md, "Where the blend's time goes (same users, %d interleaved rounds after the main ones):", breakdown.get(0).count());
        line(md, "");
        line(md, "| variant | queries | p50 ms | p99 ms | mean ms | queries/s |");
        line(md, "|---|---|---|---|---|---|");
        for (LatencyStats s : breakdown) {
            row(md, s);
        }
        line(md, "");
        line(md, "Histories never seen before (%d new users, each timed once; the rounds above cycle through %d users, so their "
            + "history items' text is cached after the warm-up):", firstSight.get(0).count(), options.users());
        line(md, "");
        line(md, "| variant | queries | p50 ms | p99 ms | mean ms | queries/s |");
        line(md, "|---|---|---|---|---|---|");
        for (LatencyStats s : firstSight) {
            row(md, s);
        }
        LatencyStats blended = latencies.get(0);
        LatencyStats twoRequests = latencies.get(1);
        LatencyStats msearch = latencies.get(2);
        LatencyStats collaborative = latencies.get(3);
        LatencyStats knn = latencies.get(4);
        LatencyStats scan = exact.get(0);
        line(md, "");
        line(md, "| ratio (plugin / stock) | p50 | p99 | mean | target | met |");
        line(md, "|---|---|---|---|---|---|");
        ratio(md, "recommend 3 signals / stock 2 requests + merge", blended, twoRequests, "< 1 (faster)", 1.0);
        ratio(md, "recommend 3 signals / stock _msearch + merge", blended, msearch, "(reported)", Double.NaN);
        ratio(md, "recommend 3 signals / stock 2 requests + merge, histories never seen before", firstSight.get(0), firstSight.get(1),
            "< 1 (faster)", 1.0);
        ratio(md, "recommend collaborative / stock knn", collaborative, knn, "p50 <= 1.25", 1.25);
        double readMillis = bandwidth.bestSeconds() * 1e3;
        line(md, "");
        line(md, "Exact path: a full scan of %,d x %d floats (%.0f MB) takes %.1f ms at p50 (mean %.1f ms). Merely reading those "
            + "bytes in this JVM (best of 10 passes) takes %.1f ms (%.1f GB/s): the scan runs at %.0f %% of the memory-read bound "
            + "(target >= 50 %%: %s).", options.items(), SyntheticCatalogue.DIMS, bandwidth.bytes() / 1e6, scan.p50Millis(),
            scan.meanMillis(), readMillis, bandwidth.gigabytesPerSecond(), 100 * readMillis / scan.p50Millis(),
            readMillis / scan.p50Millis() >= 0.5 ? "met" : "not met");
        line(md, "");
        List<String> kinds = recall.stream().map(r -> r.kind() + " (" + r.users() + " users)").toList();
        line(md, "| recall (mean over users) | %s |", String.join(" | ", kinds));
        line(md, "|---|%s", "---|".repeat(recall.size()));
        for (String measure : recall.get(0).recall().keySet()) {
            StringBuilder cells = new StringBuilder();
            for (RecallCheck.Result r : recall) {
                cells.append(String.format(Locale.ROOT, " %.3f |", r.recall().get(measure)));
            }
            line(md, "| %s |%s", measure, cells);
        }
        boolean recallMet = recall.stream().allMatch(r -> r.recall().get(RECALL_BLEND) >= 0.95);
        line(md, "");
        line(md, "Recall@100 of the blended ranking >= 0.95 for both kinds of users: %s.", recallMet ? "met" : "not met");
        String text = md.toString();
        System.out.println();
        System.out.println(text);
        Path out = options.out();
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, text);
        System.out.println("Written to " + out.toAbsolutePath());
    }

    private static void row(StringBuilder md, LatencyStats s) {
        line(md, "| %s | %d | %.2f | %.2f | %.2f | %.1f |", s.name(), s.count(), s.p50Millis(), s.p99Millis(), s.meanMillis(),
            s.queriesPerSecond());
    }

    private static void ratio(StringBuilder md, String name, LatencyStats plugin, LatencyStats stock, String target, double limit) {
        double p50 = plugin.p50Millis() / stock.p50Millis();
        String met = Double.isNaN(limit) ? "—" : limit == 1.0 ? (p50 < 1 && plugin.meanMillis() < stock.meanMillis() ? "yes" : "no")
            : (p50 <= limit ? "yes" : "no");
        line(md, "| %s | %.2f | %.2f | %.2f | %s | %s |", name, p50, plugin.p99Millis() / stock.p99Millis(),
            plugin.meanMillis() / stock.meanMillis(), target, met);
    }

    private static void line(StringBuilder md, String format, Object... args) {
        md.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
