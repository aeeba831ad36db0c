package org.recsys.recommend.ingest.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.ok;

/**
 * A node restarted in the middle of an event stream: every acknowledged event is in its profile afterwards, events whose
 * outcome the client never learned are either fully in or out, every vector is the fold-in of its history, and the model
 * with its Gramian is still registered. Runs on a node of its own, since it stops and starts it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestartIT {

    private static final int USERS = 40;
    private static final int BULK = 20;

    private final FoldInCatalogue catalogue = new FoldInCatalogue(53, 300, 8, 15, 0.1, 10);
    private RealNode node;

    /** One event as sent. */
    private record Event(String user, String item, double weight) {}

    @BeforeAll
    void start() throws IOException {
        node = RealNode.start(NodeSpec.insecure());
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void acknowledgedEventsAndTheModelSurviveARestart() throws Exception {
        JsonHttp http = node.http();
        catalogue.load(http, "rs_items");
        IngestFixture.usersIndex(http, "rs_users", catalogue.k);
        IngestFixture.putModel(http, "rs", IngestFixture.modelBody("rs_items", "rs_users", catalogue.k, 0.1, 10, 300));
        IngestFixture.refresh(http, "rs");
        IngestFixture.pipeline(http, "rs", "[{\"recommend_update\":{\"model\":\"rs\"}}]");
        JsonNode gramianBefore = ok(http.get("/_recommend/model/rs?include_gramian=true")).at("/rs/state");

        List<Event> acknowledged = new ArrayList<>();
        List<Event> unknown = new ArrayList<>(); // sent, but the answer was lost or a failure: may or may not be in
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger acked = new AtomicInteger();
        CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
            Random random = new Random(59);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            while (running.get() && System.nanoTime() < deadline) {
                List<Event> bulk = new ArrayList<>();
                StringBuilder body = new StringBuilder();
                for (int n = 0; n < BULK; n++) {
                    Event e = new Event("u" + random.nextInt(USERS), FoldInCatalogue.id(random.nextInt(60)), 1 + random.nextInt(3));
                    bulk.add(e);
                    body.append("{\"index\":{}}\n").append(IngestFixture.event(e.user(), e.item(), e.weight(), null, null)).append('\n');
                }
                try {
                    JsonHttp.Response response = http.postNdjson("/rs_events/_bulk?pipeline=rs", body.toString());
                    JsonNode items = response.status() == 200 ? response.at("/items") : null;
                    for (int n = 0; n < bulk.size(); n++) {
                        JsonNode item = items == null ? null : items.get(n).path("index");
                        boolean ok = item != null && item.path("status").asInt() == 201 && item.has("error") == false;
                        synchronized (acknowledged) {
                            (ok ? acknowledged : unknown).add(bulk.get(n));
                        }
                        if (ok) {
                            acked.incrementAndGet();
                        }
                    }
                } catch (UncheckedIOException e) {
                    synchronized (acknowledged) {
                        unknown.addAll(bulk);
                    }
                    sleep(200); // the node is down: try again shortly
                }
            }
        });

        awaitAcked(acked, 600);
        node.restart();
        int afterRestart = acked.get();
        awaitAcked(acked, afterRestart + 600);
        running.set(false);
        stream.get(60, TimeUnit.SECONDS);

        JsonNode gramianAfter = ok(http.get("/_recommend/model/rs?include_gramian=true")).at("/rs/state");
        assertEquals(gramianBefore, gramianAfter, "the model and its Gramian survive the restart");

        Map<String, Map<String, Double>> floor = sums(acknowledged);
        Map<String, Map<String, Double>> ceiling = sums(acknowledged);
        for (Event e : unknown) {
            ceiling.computeIfAbsent(e.user(), u -> new HashMap<>()).merge(e.item(), e.weight(), Double::sum);
        }
        for (int u = 0; u < USERS; u++) {
            String user = "u" + u;
            IngestFixture.Profile profile = IngestFixture.profile(http, "rs_users", user);
            Map<String, Double> low = floor.getOrDefault(user, Map.of());
            Map<String, Double> high = ceiling.getOrDefault(user, Map.of());
            Set<String> items = new HashSet<>(profile.history().keySet());
            assertTrue(items.containsAll(low.keySet()), user + ": acknowledged items missing: " + profile.history() + ", expected " + low);
            assertTrue(high.keySet().containsAll(items), user + ": items nobody sent in " + profile.history());
            for (Map.Entry<String, Double> e : profile.history().entrySet()) {
                double min = low.getOrDefault(e.getKey(), 0.0);
                double max = high.get(e.getKey());
                assertTrue(e.getValue() >= min && e.getValue() <= max,
                    user + "/" + e.getKey() + ": weight " + e.getValue() + " outside [" + min + ", " + max + "]");
            }
            if (profile.history().isEmpty() == false) {
                double error = FoldInCatalogue.relativeError(profile.factors(), catalogue.closedForm(profile.history()));
                assertTrue(error < 1e-4, user + ": relative error " + error);
            }
        }
        ok(http.post("/rs_events/_refresh", null));
        long indexed = ok(http.get("/rs_events/_count")).at("/count").asLong();
        assertTrue(indexed >= acknowledged.size() && indexed <= acknowledged.size() + unknown.size(),
            indexed + " events indexed, " + acknowledged.size() + " acknowledged, " + unknown.size() + " unknown");
    }

    private static Map<String, Map<String, Double>> sums(List<Event> events) {
        Map<String, Map<String, Double>> sums = new HashMap<>();
        for (Event e : events) {
            sums.computeIfAbsent(e.user(), u -> new HashMap<>()).merge(e.item(), e.weight(), Double::sum);
        }
        return sums;
    }

    private static void awaitAcked(AtomicInteger acked, int target) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acked.get() < target) {
            assertTrue(System.nanoTime() < deadline, "only " + acked.get() + " of " + target + " events acknowledged in time");
            sleep(20);
        }
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
