package org.recsys.recommend.math;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Rows 0..n-1 split into chunks that run on an executor; waits for all of them, then rethrows the first failure (a
 * chunk that failed leaves its rows unset: the caller must not see them as results) or reports a cancellation.
 */
final class ParallelChunks {

    /** One chunk of rows, [from, to); checks {@code cancelled} between rows itself. */
    interface Chunk {
        void run(int from, int to);
    }

    private ParallelChunks() {}

    static void run(int n, int chunks, Executor executor, BooleanSupplier cancelled, Chunk chunk) throws InterruptedException {
        int count = Math.max(1, chunks);
        int per = (n + count - 1) / count;
        CountDownLatch done = new CountDownLatch(count);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int c = 0; c < count; c++) {
            int from = Math.min(n, c * per);
            int to = Math.min(n, from + per);
            executor.execute(() -> {
                try {
                    chunk.run(from, to);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        Throwable first = failure.get();
        if (first instanceof RuntimeException e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
        if (first != null) {
            throw new IllegalStateException(first);
        }
        throwIfCancelled(cancelled);
    }

    /** Stops a computation between its steps once its task is cancelled (the trainer reports the task's own reason). */
    static void throwIfCancelled(BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw new IllegalStateException("training cancelled");
        }
    }
}
