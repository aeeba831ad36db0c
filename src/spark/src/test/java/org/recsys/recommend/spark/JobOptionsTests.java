package org.recsys.recommend.spark;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobOptionsTests {

    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");

    private static JobOptions parse(String... extra) throws UsageException {
        String[] base = { "--es", "http://127.0.0.1:9200", "--model", "movies", "--run-id", "r1" };
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return JobOptions.parse(args, NOW);
    }

    private static String error(String... extra) {
        return assertThrows(UsageException.class, () -> parse(extra)).getMessage();
    }

    @Test
    void defaults() throws UsageException {
        JobOptions options = parse();
        assertEquals("events", options.eventsIndex());
        assertEquals("user", options.userField());
        assertEquals("item", options.itemField());
        assertEquals("weight", options.weightField());
        assertEquals("action", options.actionField());
        assertEquals("@timestamp", options.timestampField());
        assertNull(options.actionWeights());
        assertEquals(NOW, options.cutoff());
        assertEquals(15, options.iterations());
        assertEquals(42, options.seed());
        assertEquals(0, options.neighbors());
        assertNull(options.lambda());
        assertNull(options.alpha());
        assertEquals("recommend-staging-movies", options.stagingIndex());
        assertNull(options.master());
        assertFalse(options.noImport());
        // without action weights the action is not read at all
        assertEquals(List.of("user", "item", "weight", "@timestamp"), options.eventFields());
    }

    @Test
    void everyOption() throws UsageException {
        JobOptions options = parse("--user", "u", "--password", "p", "--events-index", "ev-*", "--user-field", "uid", "--item-field",
            "product.id", "--weight-field", "w", "--action-field", "kind", "--action-weights", "view=1, buy=5", "--timestamp-field", "ts",
            "--cutoff", "2026-01-01T00:00:00+01:00", "--iterations", "3", "--seed", "-7", "--neighbors", "20", "--lambda", "0.05",
            "--alpha", "0", "--staging-index", "stage", "--checkpoint-dir", "/tmp/cp", "--master", "local[2]", "--no-import");
        assertEquals(Map.of("view", 1.0, "buy", 5.0), options.actionWeights());
        assertEquals(Instant.parse("2025-12-31T23:00:00Z"), options.cutoff());
        assertEquals(-7, options.seed());
        assertEquals(0.05, options.lambda());
        assertEquals(0.0, options.alpha());
        assertTrue(options.noImport());
        assertEquals(List.of("uid", "product.id", "w", "kind", "ts"), options.eventFields());
        assertFalse(options.describe().contains("p "), "the password is never printed: " + options.describe());
    }

    @Test
    void errorsNameTheOption() {
        assertTrue(error("--bogus", "1").contains("[--bogus]"));
        assertTrue(error("--iterations", "0").contains("[--iterations]"));
        assertTrue(error("--iterations", "x").contains("[--iterations]"));
        assertTrue(error("--neighbors", "1001").contains("[--neighbors]"));
        assertTrue(error("--lambda", "0").contains("[--lambda]"));
        assertTrue(error("--alpha", "NaN").contains("[--alpha]"));
        assertTrue(error("--cutoff", "yesterday").contains("[--cutoff]"));
        assertTrue(error("--action-weights", "view").contains("[--action-weights]"));
        assertTrue(error("--action-weights", "view=-1").contains("[--action-weights]"));
        assertTrue(error("--action-weights", "view=1,view=2").contains("twice"));
        assertTrue(error("--user", "u").contains("[--user] needs [--password]"));
        assertTrue(error("--staging-index", "Upper").contains("[--staging-index]"));
        assertTrue(error("--item-field", "a,b").contains("[--item-field]"));
        assertTrue(error("--master").contains("[--master] needs a value"));
        assertTrue(error("--model", "other").contains("twice"));
        assertTrue(assertThrows(UsageException.class, () -> JobOptions.parse(new String[] { "--es", "http://h:9200", "--model", "m" },
            NOW)).getMessage().contains("[--run-id] is required"));
        assertTrue(assertThrows(UsageException.class, () -> JobOptions.parse(new String[] { "--es", "ftp://h", "--model", "m",
            "--run-id", "r" }, NOW)).getMessage().contains("[--es]"));
        assertTrue(assertThrows(UsageException.class, () -> JobOptions.parse(new String[] { "--es", "http://a:b@h:9200", "--model",
            "m", "--run-id", "r" }, NOW)).getMessage().contains("[--es]"));
        assertTrue(assertThrows(UsageException.class, () -> JobOptions.parse(new String[] { "--es", "http://h:9200", "--model", "m",
            "--run-id", "r:1" }, NOW)).getMessage().contains("[--run-id]"));
    }

    @Test
    void wrongOptionExitsWithTwo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SparkTrainJob.run(new String[] { "--es", "http://127.0.0.1:9200", "--model", "m", "--run-id", "r", "--seed", "x" },
            System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("[--seed] must be an integer"));
    }

    @Test
    void connectorSettingsFollowTheUrl() throws UsageException {
        Map<String, String> plain = ConnectorSettings.common(parse());
        assertEquals("127.0.0.1", plain.get("es.nodes"));
        assertEquals("9200", plain.get("es.port"));
        assertEquals("false", plain.get("es.net.ssl"));
        assertEquals("true", plain.get("es.nodes.wan.only"));
        Map<String, String> proxied = ConnectorSettings.common(JobOptions.parse(new String[] { "--es", "https://es.example/search",
            "--model", "m", "--run-id", "r", "--user", "u", "--password", "p" }, NOW));
        assertEquals("443", proxied.get("es.port"));
        assertEquals("true", proxied.get("es.net.ssl"));
        assertEquals("/search", proxied.get("es.nodes.path.prefix"));
        assertEquals("u", proxied.get("es.net.http.auth.user"));
    }

    @Test
    void cutoffQueryKeepsEventsWithoutTimestamp() throws IOException {
        String expected = "{'query':{'bool':{'minimum_should_match':1,'should':["
            + "{'range':{'ts':{'lte':'2026-01-01T00:00:00Z','format':'strict_date_optional_time'}}},"
            + "{'bool':{'must_not':[{'exists':{'field':'ts'}}]}}]}}}";
        assertEquals(EsHttp.JSON.readTree(expected.replace('\'', '"')),
            EsHttp.JSON.readTree(ConnectorSettings.cutoffQuery("ts", "2026-01-01T00:00:00Z")));
    }
}
