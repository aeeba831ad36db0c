package org.recsys.recommend.train;

import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.bulk.BulkItemResponse;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.get.GetResponse;
import org.elasticsearch.action.get.MultiGetItemResponse;
import org.elasticsearch.action.get.MultiGetRequest;
import org.elasticsearch.action.support.WriteRequest;
import org.elasticsearch.action.update.UpdateRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.index.engine.VersionConflictEngineException;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.TaskCancelledException;
import org.recsys.recommend.ingest.History;
import org.recsys.recommend.math.FoldInSolver;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.model.RecommendModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Profiles that took events while the training ran (their version moved since {@link ProfileVersions} read it): the
 * training keeps their history and seen set, which hold those acknowledged events, and gives them only a new vector,
 * folded in from that history against the trained item factors and the new Gramian (what ALS's own user step computes
 * from a user's interactions). Written with the version just read; a profile that moves again is read again, up to
 * {@value #MAX_ATTEMPTS} times, and then keeps the vector its last event gave it (its history is intact either way).
 */
final class ChangedProfiles {

    static final int MAX_ATTEMPTS = 5;
    private static final int PAGE = 500;

    private final Client client;
    private final CancellableTask task;
    private final RecommendModel trained; // with its new state: the Gramian, λ and α the vectors are folded in with
    private final Map<String, float[]> itemFactors;
    private final FoldInSolver solver;
    private final boolean refresh;
    final AtomicLong refolded = new AtomicLong();
    final AtomicLong leftToEvents = new AtomicLong();
    // the version each refolded profile was left at: one found at another version later took events meanwhile
    final Map<String, ProfileVersions.Version> writtenVersions = new ConcurrentHashMap<>();

    /**
     * {@code trained}: the model with the state the vectors are folded in with; they are written to its serving slot (for an
     * import before its switch, the slot it builds). {@code refresh}: each page is searchable when written (the training's
     * answer waits for it); an import refreshes once at the end instead.
     */
    ChangedProfiles(Client client, CancellableTask task, RecommendModel trained, Map<String, float[]> itemFactors, boolean refresh) {
        this.client = client;
        this.task = task;
        this.trained = trained;
        this.itemFactors = itemFactors;
        this.refresh = refresh;
        this.solver = new FoldInSolver(trained.state().gramian(), trained.factors().dims(), trained.factors().lambda(),
            trained.factors().alpha(), trained.factors().weighted());
    }

    void refold(List<String> users, ActionListener<Void> listener) {
        refoldPage(users, 0, listener);
    }

    private void refoldPage(List<String> users, int from, ActionListener<Void> listener) {
        if (from >= users.size()) {
            listener.onResponse(null);
            return;
        }
        int to = Math.min(users.size(), from + PAGE);
        attempt(users.subList(from, to), 1, listener.delegateFailureAndWrap((l, v) -> refoldPage(users, to, l)));
    }

    private void attempt(List<String> users, int attempt, ActionListener<Void> listener) {
        if (task.isCancelled()) {
            listener.onFailure(new TaskCancelledException("cancelled while folding in the profiles that took events during the training"));
            return;
        }
        String index = trained.users().index();
        FetchSourceContext history = FetchSourceContext.of(true, null, new String[] { trained.users().history() }, null);
        MultiGetRequest read = new MultiGetRequest().realtime(true);
        users.forEach(user -> read.add(new MultiGetRequest.Item(index, user).fetchSourceContext(history)));
        client.multiGet(read, listener.delegateFailureAndWrap((l, found) -> {
            BulkRequest bulk = new BulkRequest();
            if (refresh) {
                bulk.setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
            }
            List<String> written = new ArrayList<>();
            for (MultiGetItemResponse item : found.getResponses()) {
                GetResponse get = item.isFailed() ? null : item.getResponse();
                if (get == null || get.isExists() == false || get.getSourceAsMap() == null) {
                    continue; // deleted meanwhile, or unreadable: nothing to keep
                }
                float[] vector;
                try {
                    vector = foldIn(History.fromStored(trained.users().history(), get.getSourceAsMap().get(trained.users().history())));
                } catch (IllegalArgumentException e) {
                    continue; // a malformed history keeps what it has, as its events do
                }
                if (vector == null) {
                    continue; // no history item has factors: nothing to fold in (a zero vector would say nothing either)
                }
                bulk.add(new UpdateRequest(index, get.getId()).doc(Map.of(trained.serving().userFactors(), Vectors.asList(vector)))
                    .setIfSeqNo(get.getSeqNo()).setIfPrimaryTerm(get.getPrimaryTerm()));
                written.add(get.getId());
            }
            if (written.isEmpty()) {
                l.onResponse(null);
                return;
            }
            client.bulk(bulk, l.delegateFailureAndWrap((ll, response) -> {
                List<String> moved = new ArrayList<>();
                for (BulkItemResponse result : response.getItems()) {
                    if (result.isFailed() == false) {
                        refolded.incrementAndGet();
                        writtenVersions.put(result.getId(), new ProfileVersions.Version(result.getResponse().getSeqNo(),
                            result.getResponse().getPrimaryTerm()));
                    } else if (ExceptionsHelper.unwrapCause(result.getFailure().getCause()) instanceof VersionConflictEngineException) {
                        moved.add(result.getId());
                    } else {
                        throw new IllegalStateException("[" + index + "/" + result.getId() + "] " + result.getFailureMessage());
                    }
                }
                if (moved.isEmpty()) {
                    ll.onResponse(null);
                } else if (attempt < MAX_ATTEMPTS) {
                    attempt(moved, attempt + 1, ll);
                } else {
                    leftToEvents.addAndGet(moved.size());
                    ll.onResponse(null);
                }
            }));
        }));
    }

    /** The vector folded in from {@code history}; null when no item of it has factors. */
    private float[] foldIn(History history) {
        // an item the training did not see (new since) carries no evidence yet, as in fold-in
        History.Evidence evidence = history.evidence(itemFactors, trained.factors().dims(), trained.serving().itemFactors(), trained.id());
        if (evidence.factors().isEmpty()) {
            return null;
        }
        return solver.solve(evidence.factors(), evidence.weights());
    }
}
