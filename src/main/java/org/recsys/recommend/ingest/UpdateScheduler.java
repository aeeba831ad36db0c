package org.recsys.recommend.ingest;

import org.elasticsearch.common.settings.Setting;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs profile updates with bounded concurrency, one user at a time. A bulk of events makes the pipeline start every
 * event's update at once; unbounded, thousands of profile reads overflow the node's {@code get} queue and events are
 * rejected. Here at most {@code recommend.ingest.max_concurrent_updates} run together, and events of the same user wait
 * for that user's previous update (which also spares the optimistic-concurrency retries that would collide with it).
 * The queued events are the ones the bulk request already holds in memory. Each piece of work gets a callback to call
 * exactly once when it is done; the next piece starts on the generic executor, never recursively.
 */
public final class UpdateScheduler {

    public static final Setting<Integer> MAX_CONCURRENT_UPDATES = Setting.intSetting(
        "recommend.ingest.max_concurrent_updates",
        32,
        1,
        Setting.Property.NodeScope
    );

    private final int maxInFlight;
    private final Consumer<Runnable> executor;
    private final Map<String, ArrayDeque<Consumer<Runnable>>> queues = new HashMap<>(); // guarded by this
    private final ArrayDeque<String> waiting = new ArrayDeque<>(); // users whose next work waits for a slot
    private int inFlight;

    public UpdateScheduler(int maxInFlight, Consumer<Runnable> executor) {
        this.maxInFlight = maxInFlight;
        this.executor = executor;
    }

    /** Runs {@code work} after the earlier work for {@code user}, when a slot is free. */
    public void submit(String user, Consumer<Runnable> work) {
        boolean start;
        synchronized (this) {
            ArrayDeque<Consumer<Runnable>> queue = queues.get(user);
            if (queue != null) {
                queue.add(work);
                return;
            }
            queue = new ArrayDeque<>();
            queue.add(work);
            queues.put(user, queue);
            start = inFlight < maxInFlight;
            if (start) {
                inFlight++;
            } else {
                waiting.add(user);
            }
        }
        if (start) {
            run(user, work);
        }
    }

    private void run(String user, Consumer<Runnable> work) {
        work.accept(new Runnable() {
            private boolean called;

            @Override
            public void run() {
                synchronized (this) {
                    if (called) {
                        return;
                    }
                    called = true;
                }
                finished(user);
            }
        });
    }

    private void finished(String user) {
        String nextUser;
        Consumer<Runnable> next;
        synchronized (this) {
            ArrayDeque<Consumer<Runnable>> queue = queues.get(user);
            queue.poll();
            if (queue.isEmpty()) {
                queues.remove(user);
            } else {
                waiting.add(user); // the user's next event goes to the back of the line, so one user cannot starve the others
            }
            nextUser = waiting.poll();
            if (nextUser == null) {
                inFlight--;
                return;
            }
            next = queues.get(nextUser).peek();
        }
        String chosen = nextUser;
        executor.accept(() -> run(chosen, next));
    }

    /** Updates running now, for tests and stats. */
    public synchronized int inFlight() {
        return inFlight;
    }
}
