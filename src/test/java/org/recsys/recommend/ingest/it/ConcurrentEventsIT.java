package org.recsys.recommend.ingest.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.ok;

/**
 * Nothing is lost under concurrency: 8 threads send 20,000 events for 500 users through {@code _bulk?pipeline=…}, each
 * bulk carrying runs of 10 events for the same user while other threads send events for the same users. Afterwards
 * every profile holds exactly its acknowledged events (weights summed per item; max_history is larger than any user's
 * distinct items, so nothing is dropped) and its vector is the closed-form fold-in of that history. An event that failed
 * must say so on its bulk item and be absent from its profile; since the processor bounds and orders its updates per
 * node, none may fail at all (before that, 8 such streams overflowed the node's get queue with 429s).
 */
@ExtendWith(RealNodeExtension.class)
class ConcurrentEventsIT {

    private static final int THREADS = 8;
    private static final int USERS = 500;
    private static final int EVENTS_PER_USER = 40;
    private static final int RUN = 10; // consecutive events of one user inside a bulk
    private static final int RUNS_PER_BULK = 50;
    private static final int ITEMS_PER_USER = 25;

    private final FoldInCatalogue catalogue = new FoldInCatalogue(31, 2000, 8, 40, 0.1, 10);

    /** One event as sent. */
    private record Event(String user, String item, double weight) {}

    @Test
    void concurrentBulkStreamsKeepEveryAcknowledgedEvent(JsonHttp http) throws Exception {
        catalogue.load(http, "ce_items");
        IngestFixture.usersIndex(http, "ce_users", catalogue.k);
        IngestFixture.putModel(http, "ce", IngestFixture.modelBody("ce_items", "ce_users", catalogue.k, 0.1, 10, 100));
        IngestFixture.refresh(http, "ce");
        IngestFixture.pipeline(http, "ce", "[{\"recommend_update\":{\"model\":\"ce\"}}]");
        ok(http.put("/ce_events", "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":0}}"));

        List<List<Event>> runs = runs(new Random(77));
        ConcurrentLinkedQueue<Event> acknowledged = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> streams = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int stream = t;
                streams.add(pool.submit(() -> send(http, runs, stream, acknowledged, failures)));
            }
            for (Future<?> f : streams) {
                f.get(180, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        Map<String, Map<String, Double>> expected = new HashMap<>();
        for (Event e : acknowledged) {
            expected.computeIfAbsent(e.user(), u -> new HashMap<>()).merge(e.item(), e.weight(), Double::sum);
        }
        int checked = 0;
        for (int u = 0; u < USERS; u++) {
            String user = "u" + u;
            Map<String, Double> history = expected.getOrDefault(user, Map.of());
            IngestFixture.Profile profile = IngestFixture.profile(http, "ce_users", user);
            assertEquals(history, new HashMap<>(profile.history()), user + ": the history holds exactly the acknowledged events");
            if (history.isEmpty() == false) {
                double error = FoldInCatalogue.relativeError(profile.factors(), catalogue.closedForm(history));
                assertTrue(error < 1e-4, user + ": vector is not the fold-in of its final history, relative error " + error);
                checked++;
            }
        }
        ok(http.post("/ce_events/_refresh", null));
        assertEquals(acknowledged.size(), ok(http.get("/ce_events/_count")).at("/count").asLong(), "every acknowledged event indexed");
        assertEquals(USERS, checked);
        // A failed item would be reported on that item with its event absent from the profile (checked above); with bounded,
        // per-user ordered updates no event may fail, not even with a 429.
        assertEquals(List.of(), failures.stream().limit(5).toList(), failures.size() + " bulk items failed");
        assertEquals(USERS * EVENTS_PER_USER, acknowledged.size());
    }

    /** Every user's 40 events (items from a personal pool of 25, so repeats merge), cut into runs of 10 and shuffled. */
    private List<List<Event>> runs(Random random) {
        List<List<Event>> runs = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            int[] pool = random.ints(0, catalogue.size).distinct().limit(ITEMS_PER_USER).toArray();
            List<Event> events = new ArrayList<>();
            for (int n = 0; n < EVENTS_PER_USER; n++) {
                events.add(new Event("u" + u, FoldInCatalogue.id(pool[random.nextInt(pool.length)]), 1 + random.nextInt(4) * 0.5));
            }
            for (int from = 0; from < events.size(); from += RUN) {
                runs.add(events.subList(from, from + RUN));
            }
        }
        Collections.shuffle(runs, random);
        return runs;
    }

    private static void send(
        JsonHttp http,
        List<List<Event>> runs,
        int stream,
        ConcurrentLinkedQueue<Event> acknowledged,
        ConcurrentLinkedQueue<String> failures
    ) {
        List<Event> bulk = new ArrayList<>();
        for (int r = stream; r < runs.size(); r += THREADS) {
            bulk.addAll(runs.get(r));
            if (bulk.size() == RUN * RUNS_PER_BULK || r + THREADS >= runs.size()) {
                StringBuilder body = new StringBuilder();
                for (Event e : bulk) {
                    body.append("{\"index\":{}}\n").append(IngestFixture.event(e.user(), e.item(), e.weight(), null, null)).append('\n');
                }
                JsonNode items = ok(http.postNdjson("/ce_events/_bulk?pipeline=ce", body.toString())).at("/items");
                if (items.size() != bulk.size()) {
                    throw new AssertionError("bulk answered " + items.size() + " items for " + bulk.size() + " events");
                }
                for (int n = 0; n < bulk.size(); n++) {
                    JsonNode item = items.get(n).path("index");
                    if (item.path("status").asInt() == 201 && item.has("error") == false) {
                        acknowledged.add(bulk.get(n));
                    } else {
                        failures.add(bulk.get(n) + " -> " + item);
                    }
                }
                bulk.clear();
            }
        }
    }
}
