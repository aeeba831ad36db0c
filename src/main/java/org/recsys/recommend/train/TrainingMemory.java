package org.recsys.recommend.train;

import org.elasticsearch.common.breaker.CircuitBreaker;

/**
 * The heap a training plans to hold, accounted in Elasticsearch's {@code request} circuit breaker: it shows in
 * {@code _nodes/stats/breaker}, and a training that would push the node past the breaker's limit (another training, large
 * aggregations) is refused with a 429 before it allocates, instead of each planning against the whole heap alone.
 * A reservation raises what is held to the new peak (a training's phases plan their peak, not a sum, and what was planned
 * stays planned until the end); {@link #release} returns all.
 */
public final class TrainingMemory {

    private final CircuitBreaker breaker;
    private final String label;
    private long held;

    public TrainingMemory(CircuitBreaker breaker, String label) {
        this.breaker = breaker;
        this.label = label;
    }

    /** Holds at least {@code bytes} from now on; throws the breaker's exception when the increase does not fit. */
    synchronized void reserveAtLeast(long bytes) {
        if (bytes > held) {
            breaker.addEstimateBytesAndMaybeBreak(bytes - held, label);
            held = bytes;
        }
    }

    public synchronized void release() {
        breaker.addWithoutBreaking(-held);
        held = 0;
    }
}
