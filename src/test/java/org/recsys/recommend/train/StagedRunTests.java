package org.recsys.recommend.train;

import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.xcontent.XContentType;
import org.junit.jupiter.api.Test;
import org.recsys.recommend.ingest.History;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The staged run's documents as {@code _import} reads them: the manifest, items and users, and unread events. */
class StagedRunTests {

    private static final String MANIFEST = "{\"run_id\":\"r1\",\"kind\":\"manifest\",\"dims\":2,\"lambda\":0.05,\"alpha\":10,"
        + "\"regularization\":\"weighted\",\"events\":7,\"events_cutoff\":\"2026-12-01T00:00:00Z\",\"items\":3,\"users\":2,"
        + "\"neighbors\":true,\"a_newer_field\":1}";

    private static StagedRun parse(String json) throws IOException {
        return StagedRun.parse("r1", new BytesArray(json), XContentType.JSON);
    }

    @Test
    void manifestParsesAndIgnoresFieldsOfNewerJobs() throws IOException {
        StagedRun run = parse(MANIFEST);
        assertEquals(2, run.dims());
        assertTrue(run.weighted());
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"), run.eventsCutoff());
        assertEquals(3, run.items());
        assertEquals("unknown", run.trainedBy());
    }

    @Test
    void manifestProblemsNameTheField() {
        assertEquals("[manifest.dims] of run [r1] is missing",
            assertThrows(IllegalArgumentException.class, () -> parse(MANIFEST.replace("\"dims\":2,", ""))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(MANIFEST.replace("weighted", "ridge"))).getMessage()
            .startsWith("[manifest.regularization] of run [r1] must be [weighted] or [constant], got [ridge]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(MANIFEST.replace("2026-12-01T00:00:00Z", "today")))
            .getMessage().startsWith("[manifest.events_cutoff] of run [r1] must be an ISO-8601 instant"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(MANIFEST.replace("\"run_id\":\"r1\"", "\"run_id\":\"r2\"")))
            .getMessage().startsWith("[manifest.run_id] of run [r1] must be [r1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(MANIFEST.replace("\"alpha\":10", "\"alpha\":-1")))
            .getMessage().startsWith("[manifest.alpha] of run [r1] must be a finite number >= 0"));
    }

    @Test
    void aHistoryLongerThanTheModelsBoundSendsItsOldestEntriesToSeen() {
        Map<String, Object> source = Map.of("id", "u1", "factors", List.of(0.5, 0.25), "seen", List.of("s0"), "history", List.of(
            Map.of("item", "a", "weight", 1.0), Map.of("item", "b", "weight", 1.0), Map.of("item", "c", "weight", 2.0)));
        StagedUser user = StagedUser.parse("r1", source, 2, "history", 2);
        assertEquals(List.of("b", "c"), user.history().items());
        assertEquals(List.of("a", "s0"), user.seen());
        assertEquals(0.25f, user.factors()[1]);
    }

    @Test
    void stagedDocumentProblemsNameTheDocumentAndField() {
        IllegalArgumentException shortVector = assertThrows(IllegalArgumentException.class,
            () -> StagedItem.parse("r1", Map.of("id", "i1", "factors", List.of(1.0), "popularity", 1), 2));
        assertEquals("[staging] item [i1] of run [r1]: [factors] must be an array of 2 numbers (the model's dims), got 1 values",
            shortVector.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> StagedItem.parse("r1",
            Map.of("id", "i1", "factors", List.of(1.0, 2.0), "neighbors", Map.of("i2", -0.1), "popularity", 1), 2));
        assertTrue(negative.getMessage().contains("[neighbors] similarity of [i2] must be a finite number > 0"), negative.getMessage());
        IllegalArgumentException popularity = assertThrows(IllegalArgumentException.class,
            () -> StagedItem.parse("r1", Map.of("id", "i1", "factors", List.of(1.0, 2.0), "popularity", 1.5), 2));
        assertTrue(popularity.getMessage().contains("[popularity] must be a whole number between 0 and 2^53"), popularity.getMessage());
        IllegalArgumentException badUser = assertThrows(IllegalArgumentException.class,
            () -> StagedUser.parse("r1", Map.of("id", "", "factors", List.of(1.0, 2.0)), 2, "history", 10));
        assertTrue(badUser.getMessage().startsWith("[staging] a user document of run [r1] has an [id] that"), badUser.getMessage());
    }

    @Test
    void aStoredHistoryWithAnItemOrWeightTheRunLacksTookUnreadEvents() {
        History staged = History.fromSource("history", List.of(Map.of("item", "a", "weight", 2.0), Map.of("item", "b", "weight", 1.0)));
        assertFalse(ModelImport.holdsUnreadEvents("history", List.of(Map.of("item", "a", "weight", 2.0)), staged));
        assertFalse(ModelImport.holdsUnreadEvents("history", null, staged), "no profile yet");
        assertTrue(ModelImport.holdsUnreadEvents("history", List.of(Map.of("item", "c", "weight", 1.0)), staged), "a new item");
        assertTrue(ModelImport.holdsUnreadEvents("history", List.of(Map.of("item", "b", "weight", 2.0)), staged), "more weight");
        assertFalse(ModelImport.holdsUnreadEvents("history", List.of(Map.of("item", "a", "weight", 2.0000001)), staged),
            "the float the job wrote");
        assertTrue(ModelImport.holdsUnreadEvents("history", "garbage", staged), "unreadable: kept as it is");
    }

    @Test
    void manifestNumbersAreStrict() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(MANIFEST.replace("\"dims\":2", "\"dims\":\"2\"")))
            .getMessage().contains("[manifest.dims] must be a whole number >= 0, got the string [2]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(MANIFEST.replace("\"items\":3", "\"items\":2.5")))
            .getMessage().contains("[manifest.items] must be a whole number >= 0"));
        assertEquals("[manifest.items] of run [r1] is 0: a run without items has nothing to serve",
            assertThrows(IllegalArgumentException.class, () -> parse(MANIFEST.replace("\"items\":3", "\"items\":0"))).getMessage());
        assertEquals("[manifest.neighbors] of run [r1] is missing",
            assertThrows(IllegalArgumentException.class, () -> parse(MANIFEST.replace("\"neighbors\":true,", ""))).getMessage());
    }
}
