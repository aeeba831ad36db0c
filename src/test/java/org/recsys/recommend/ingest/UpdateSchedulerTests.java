package org.recsys.recommend.ingest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpdateSchedulerTests {

    @Test
    void boundsConcurrencyKeepsEachUsersOrderAndRunsEverything() {
        List<Runnable> executor = new ArrayList<>();
        UpdateScheduler scheduler = new UpdateScheduler(3, executor::add);
        List<Runnable> running = new ArrayList<>();
        Map<String, Integer> active = new HashMap<>();
        Map<String, List<Integer>> order = new HashMap<>();
        int[] maxRunning = { 0 };
        Random random = new Random(4);
        int submitted = 0;
        for (int n = 0; n < 200; n++) {
            String user = "u" + random.nextInt(7);
            int seq = n;
            scheduler.submit(user, done -> {
                assertEquals(0, active.getOrDefault(user, 0), "one update per user at a time");
                active.merge(user, 1, Integer::sum);
                order.computeIfAbsent(user, u -> new ArrayList<>()).add(seq);
                running.add(() -> {
                    active.merge(user, -1, Integer::sum);
                    done.run();
                    done.run(); // a second call is ignored
                });
                maxRunning[0] = Math.max(maxRunning[0], running.size());
            });
            submitted++;
            // finish some work, and let the executor start what was queued
            while (random.nextBoolean() && running.isEmpty() == false) {
                running.remove(random.nextInt(running.size())).run();
                drain(executor);
            }
        }
        while (running.isEmpty() == false || executor.isEmpty() == false) {
            if (running.isEmpty() == false) {
                running.remove(0).run();
            }
            drain(executor);
        }
        assertTrue(maxRunning[0] <= 3, "at most 3 at once, saw " + maxRunning[0]);
        assertEquals(submitted, order.values().stream().mapToInt(List::size).sum(), "everything ran");
        order.values().forEach(seqs -> assertEquals(seqs.stream().sorted().toList(), seqs, "each user's events in order"));
        assertEquals(0, scheduler.inFlight());
    }

    private static void drain(List<Runnable> executor) {
        while (executor.isEmpty() == false) {
            executor.remove(0).run();
        }
    }
}
