package org.recsys.recommend.ingest;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.support.ContextPreservingActionListener;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elasticsearch.tasks.Task;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.stats.RecommendStats;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Group commit for profile updates. Events wait in a queue while earlier batches run; each batch then reads all its users'
 * profiles in one multi-get, applies their events in order, folds each user in once, and writes the profiles back in one
 * bulk with optimistic concurrency ({@link ProfileBatch}). A bulk of events thus costs a few round trips instead of two
 * per event, and a user's events in the same bulk cost one profile write.
 *
 * <p>Queues are per model, users index and caller: events are only batched with events sent with the same request
 * headers (so the same authenticated user; per-request ids such as the audit request id aside), and each batch runs in
 * its first event's thread context, so profiles are read and written with the privileges of whoever sent the events, as
 * without batching.
 */
public final class ProfileBatcher {

    public static final Setting<Integer> MAX_BATCH_USERS = Setting.intSetting(
        "recommend.ingest.max_batch_users",
        500,
        1,
        10_000,
        Setting.Property.NodeScope
    );

    public static final Setting<Integer> MAX_CONCURRENT_BATCHES = Setting.intSetting(
        "recommend.ingest.max_concurrent_batches",
        2,
        1,
        64,
        Setting.Property.NodeScope
    );

    /**
     * One event waiting for its profile update; {@code attempt} counts write conflicts so far; {@code itemNudge} is the
     * learning rate of the optional SGD step on the event's item (0: off).
     */
    record Pending(
        RecommendModel model,
        ProfileEvent event,
        int maxRetries,
        double itemNudge,
        int attempt,
        Supplier<ThreadContext.StoredContext> context,
        ActionListener<Long> listener
    ) {
        Pending retried() {
            return new Pending(model, event, maxRetries, itemNudge, attempt + 1, context, listener);
        }
    }

    /** Events that may share a batch: same model, same users index, same caller. */
    private record LaneKey(String model, String usersIndex, Map<String, String> headers) {}

    private final class Lane {
        final Map<String, String> headers;
        final UserBatchQueue<Pending> queue = new UserBatchQueue<>(p -> p.event().user());
        int running; // guarded by the lane

        Lane(Map<String, String> headers) {
            this.headers = headers;
        }
    }

    private final Client client;
    private final RecommendStats stats;
    private final ItemFactorCache factors;
    private final ProfileCache profiles;
    private final Consumer<Runnable> executor;
    private final int maxBatchUsers;
    private final int maxConcurrentBatches;
    private final Map<LaneKey, Lane> lanes = new HashMap<>(); // guarded by this

    public ProfileBatcher(
        Client client,
        ItemFactorCache factors,
        ProfileCache profiles,
        Consumer<Runnable> executor,
        int maxBatchUsers,
        int maxConcurrentBatches,
        RecommendStats stats
    ) {
        this.stats = stats;
        this.client = client;
        this.factors = factors;
        this.profiles = profiles;
        this.executor = executor;
        this.maxBatchUsers = maxBatchUsers;
        this.maxConcurrentBatches = maxConcurrentBatches;
    }

    Client client() {
        return client;
    }

    /**
     * Headers that differ from request to request without changing who the caller is: with security on, every REST request
     * carries its own audit request id, so keying by all headers made every {@code _bulk} its own lane and missed the
     * profile cache across requests. Correlation ids (X-Opaque-Id, trace context) are the same kind.
     */
    static final Set<String> PER_REQUEST_HEADERS = Set.of(
        "_xpack_audit_request_id",
        Task.X_OPAQUE_ID_HTTP_HEADER,
        Task.TRACE_PARENT_HTTP_HEADER,
        Task.TRACE_STATE,
        Task.TRACE_ID
    );

    /** The headers that identify the caller (authentication, run-as, ...): all but the per-request ones. */
    static Map<String, String> callerHeaders(ThreadContext threadContext) {
        Map<String, String> headers = new HashMap<>(threadContext.getHeaders());
        headers.keySet().removeAll(PER_REQUEST_HEADERS);
        return Map.copyOf(headers);
    }

    /** Applies {@code event} to its user's profile; completes with the profile document's new version. */
    void apply(RecommendModel model, ProfileEvent event, int maxRetries, double itemNudge, ActionListener<Long> listener) {
        ThreadContext threadContext = client.threadPool().getThreadContext();
        LaneKey key = new LaneKey(model.id(), model.users().index(), callerHeaders(threadContext));
        // answered once, in the caller's context, whichever batch thread answers
        ActionListener<Long> answer = ActionListener.notifyOnce(
            ContextPreservingActionListener.wrapPreservingContext(listener, threadContext)
        );
        Pending pending = new Pending(model, event, maxRetries, itemNudge, 0, threadContext.newRestorableContext(false), answer);
        Lane lane;
        synchronized (this) {
            lane = lanes.computeIfAbsent(key, k -> new Lane(k.headers()));
            lane.queue.add(pending); // under the map's lock, so an idle lane is never dropped with an event just added
        }
        startBatches(lane);
    }

    private void startBatches(Lane lane) {
        while (true) {
            List<Pending> batch;
            synchronized (lane) {
                if (lane.running >= maxConcurrentBatches) {
                    return;
                }
                batch = lane.queue.take(maxBatchUsers);
                if (batch.isEmpty()) {
                    return;
                }
                lane.running++;
            }
            executor.accept(() -> run(lane, batch));
        }
    }

    private void run(Lane lane, List<Pending> batch) {
        AtomicBoolean once = new AtomicBoolean();
        Runnable finished = () -> {
            if (once.compareAndSet(false, true)) {
                finished(lane, batch);
            }
        };
        try (ThreadContext.StoredContext ignored = batch.get(0).context().get()) {
            new ProfileBatch(client, factors, profiles, lane.headers, batch, retries -> lane.queue.addFirst(retries), stats).run(finished);
        } catch (RuntimeException e) {
            // ProfileBatch reports its own failures to the events; this guards the bookkeeping against the unexpected
            batch.forEach(p -> p.listener().onFailure(e));
            finished.run();
        }
    }

    private void finished(Lane lane, List<Pending> batch) {
        Set<String> users = new LinkedHashSet<>();
        batch.forEach(p -> users.add(p.event().user()));
        lane.queue.release(users);
        synchronized (this) {
            synchronized (lane) {
                lane.running--;
                if (lane.running == 0 && lane.queue.size() == 0) {
                    lanes.values().remove(lane); // lanes come and go with callers' header sets: keep only busy ones
                    return;
                }
            }
        }
        startBatches(lane);
    }
}
