package org.recsys.recommend.spark;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventRulesTests {

    private static EventRules rules(String... extra) throws UsageException {
        String[] base = { "--es", "http://127.0.0.1:9200", "--model", "m", "--run-id", "r1" };
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return new EventRules(JobOptions.parse(args, Instant.EPOCH));
    }

    private static Row event(String user, String item, Object weight, String action, String ts) {
        return RowFactory.create(user, item, weight, action, ts, "ev-1");
    }

    @Test
    void weightFieldThenActionThenOne() throws UsageException {
        EventRules rules = rules("--action-weights", "view=1,buy=5");
        assertEquals(2.5, rules.apply(event("u", "i", 2.5f, "buy", null)).getDouble(2));
        assertEquals(3.0, rules.apply(event("u", "i", "3", "buy", null)).getDouble(2)); // a weight mapped as a string
        assertEquals(5.0, rules.apply(event("u", "i", null, "buy", null)).getDouble(2));
        assertEquals(1.0, rules.apply(event("u", "i", null, null, null)).getDouble(2));
        assertEquals(0.0, rules.apply(event("u", "i", 0L, null, null)).getDouble(2));
        // without --action-weights the action is ignored
        assertEquals(1.0, rules().apply(event("u", "i", null, "anything", null)).getDouble(2));
    }

    @Test
    void wrongWeightsAndActionsFailNamingTheEvent() throws UsageException {
        EventRules rules = rules("--action-weights", "view=1");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rules.apply(event("u", "i", -1.0, null, null))).getMessage()
            .contains("[weight] of event [ev-1] must be a finite number >= 0, got [-1.0]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rules.apply(event("u", "i", Double.NaN, null, null))).getMessage()
            .contains("event [ev-1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rules.apply(event("u", "i", "lots", null, null))).getMessage()
            .contains("got [lots]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rules.apply(event("u", "i", null, "buy", null))).getMessage()
            .contains("[action] of event [ev-1] is [buy]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rules.apply(event("u", "i", null, null, "soon"))).getMessage()
            .contains("[@timestamp] of event [ev-1] is [soon]"));
    }

    @Test
    void missingUserOrItemIsSkipped() throws UsageException {
        Row skipped = rules().apply(event(null, "i", 1.0, null, null));
        assertNull(skipped.get(0));
        assertEquals(EventRules.MISSING, skipped.getString(5));
        assertEquals(EventRules.MISSING, rules().apply(event("u", null, -5.0, null, null)).getString(5)); // skipped before its weight
    }

    @Test
    void idsTooLongToStageAreSkippedApart() throws UsageException {
        // "r1:user:" is 8 bytes: 504 more fit in an _id, 505 do not
        assertNull(rules().apply(event("u".repeat(504), "i", 1.0, null, null)).get(5));
        assertEquals(EventRules.LONG_ID, rules().apply(event("u".repeat(505), "i", 1.0, null, null)).getString(5));
    }

    @Test
    void dateFieldsBecomeUtcInstants() throws UsageException {
        // what the connector hands over for a date field, whether indexed as "2026-12-06T10:00:00.5+01:00" or as epoch millis
        Row row = rules().apply(event("u", "i", null, null, null));
        assertNull(row.get(3));
        Row dated = rules().apply(RowFactory.create("u", "i", null, null, Timestamp.from(Instant.parse("2026-12-06T09:00:00.500Z")),
            "ev-1"));
        assertEquals("2026-12-06T09:00:00.500Z", dated.getString(3));
        assertEquals(Instant.parse("2026-12-06T09:00:00.500Z").toEpochMilli(), dated.getLong(4));
    }

    @Test
    void timestampIsKeptAsTextAndAsMillis() throws UsageException {
        Row row = rules().apply(event("u", "i", null, null, "2026-12-06T10:00:00+01:00"));
        assertEquals("2026-12-06T10:00:00+01:00", row.getString(3));
        assertEquals(Instant.parse("2026-12-06T09:00:00Z").toEpochMilli(), row.getLong(4));
    }
}
