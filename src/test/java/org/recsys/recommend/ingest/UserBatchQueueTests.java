package org.recsys.recommend.ingest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserBatchQueueTests {

    /** Events are "user:sequence". */
    private static String user(String event) {
        return event.substring(0, event.indexOf(':'));
    }

    @Test
    void aBatchTakesWholeUsersUpToTheLimitInArrivalOrder() {
        UserBatchQueue<String> queue = new UserBatchQueue<>(UserBatchQueueTests::user);
        for (String e : List.of("a:1", "b:1", "a:2", "c:1", "b:2", "d:1")) {
            queue.add(e);
        }
        assertEquals(List.of("a:1", "b:1", "a:2", "b:2"), queue.take(2));
        assertEquals(List.of("c:1", "d:1"), queue.take(10));
        assertEquals(List.of(), queue.take(10));
    }

    @Test
    void busyUsersWaitForTheirBatchAndConflictsGoFirst() {
        UserBatchQueue<String> queue = new UserBatchQueue<>(UserBatchQueueTests::user);
        queue.add("a:1");
        assertEquals(List.of("a:1"), queue.take(10));
        queue.add("a:2");
        queue.add("b:1");
        assertEquals(List.of("b:1"), queue.take(10), "a is busy");
        queue.addFirst(List.of("a:1")); // a's write conflicted: retried before a:2
        queue.release(List.of("a"));
        assertEquals(List.of("a:1", "a:2"), queue.take(10));
        assertEquals(0, queue.size());
    }

    @Test
    void underRandomSchedulesNoUserIsInTwoBatchesAndEveryUsersEventsKeepTheirOrder() {
        Random random = new Random(5);
        UserBatchQueue<String> queue = new UserBatchQueue<>(UserBatchQueueTests::user);
        Map<String, Integer> sent = new HashMap<>();
        Map<String, Integer> applied = new HashMap<>();
        List<List<String>> running = new ArrayList<>();
        int total = 0;
        for (int step = 0; step < 5000; step++) {
            int action = random.nextInt(3);
            if (action == 0) {
                String u = "u" + random.nextInt(20);
                int seq = sent.merge(u, 1, Integer::sum);
                queue.add(u + ":" + seq);
                total++;
            } else if (action == 1) {
                List<String> batch = queue.take(1 + random.nextInt(5));
                Set<String> users = new HashSet<>();
                batch.forEach(e -> users.add(user(e)));
                for (List<String> other : running) {
                    other.forEach(e -> assertTrue(users.contains(user(e)) == false, "user in two batches: " + e));
                }
                if (batch.isEmpty() == false) {
                    running.add(batch);
                }
            } else if (running.isEmpty() == false) {
                List<String> done = running.remove(random.nextInt(running.size()));
                Set<String> users = new HashSet<>();
                for (String e : done) {
                    int seq = Integer.parseInt(e.substring(e.indexOf(':') + 1));
                    assertEquals(applied.getOrDefault(user(e), 0) + 1, seq, "out of order: " + e);
                    applied.put(user(e), seq);
                    users.add(user(e));
                }
                queue.release(users);
            }
        }
        int inFlight = running.stream().mapToInt(List::size).sum();
        int appliedCount = applied.values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(total, appliedCount + inFlight + queue.size(), "nothing lost");
    }
}
