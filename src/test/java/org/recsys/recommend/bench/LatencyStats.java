package org.recsys.recommend.bench;

import java.util.Arrays;

/** Latencies of one variant, single client, sequential: percentiles by rank, mean, and the queries per second they imply. */
record LatencyStats(String name, long[] nanos) {

    LatencyStats {
        nanos = nanos.clone();
        Arrays.sort(nanos);
    }

    int count() {
        return nanos.length;
    }

    double p50Millis() {
        return percentileMillis(0.50);
    }

    double p99Millis() {
        return percentileMillis(0.99);
    }

    double meanMillis() {
        return Arrays.stream(nanos).average().orElse(Double.NaN) / 1e6;
    }

    /** One client sending the next query when the previous answer arrived: 1000 / mean latency in ms. */
    double queriesPerSecond() {
        return 1000.0 / meanMillis();
    }

    /** The nearest-rank percentile: the smallest latency with at least {@code q} of the samples at or below it. */
    double percentileMillis(double q) {
        int rank = (int) Math.ceil(q * nanos.length);
        return nanos[Math.max(0, rank - 1)] / 1e6;
    }
}
