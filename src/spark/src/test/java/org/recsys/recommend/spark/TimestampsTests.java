package org.recsys.recommend.spark;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TimestampsTests {

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void readsWhatElasticsearchsDefaultDateFormatAccepts() {
        assertEquals(at("2026-12-06T10:15:30Z"), Timestamps.millis("2026-12-06T10:15:30Z"));
        assertEquals(at("2026-12-06T10:15:30.123Z"), Timestamps.millis("2026-12-06T10:15:30.123Z"));
        // an offset moves the instant; none means UTC, as in Elasticsearch
        assertEquals(at("2026-12-06T09:15:30Z"), Timestamps.millis("2026-12-06T10:15:30+01:00"));
        assertEquals(at("2026-12-06T09:15:30Z"), Timestamps.millis("2026-12-06T10:15:30+0100"));
        assertEquals(at("2026-12-06T10:15:30Z"), Timestamps.millis("2026-12-06T10:15:30"));
        assertEquals(at("2026-12-06T10:15:00Z"), Timestamps.millis("2026-12-06T10:15"));
        assertEquals(at("2026-12-06T00:00:00Z"), Timestamps.millis("2026-12-06"));
        // epoch_millis, also with a fraction (floored) and before 1970
        assertEquals(1_765_016_130_000L, Timestamps.millis("1765016130000"));
        assertEquals(1_765_016_130_000L, Timestamps.millis("1765016130000.9"));
        assertEquals(-1000L, Timestamps.millis("-1000"));
    }

    @Test
    void otherTextIsNotADate() {
        assertNull(Timestamps.millis("yesterday"));
        assertNull(Timestamps.millis("2026/12/06"));
        assertNull(Timestamps.millis("2026-13-06"));
        assertNull(Timestamps.millis(""));
    }
}
