package org.recsys.recommend.ingest;

import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.get.GetRequest;
import org.elasticsearch.action.get.GetResponse;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.index.engine.VersionConflictEngineException;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.recsys.recommend.model.RecommendModel;

import java.util.HashMap;
import java.util.Map;

/**
 * Applies one event to a user's profile: read it with its sequence number, append the event to the bounded history,
 * fold in the new vector, and write it back only if nobody wrote in between; on a conflict, start over from the read.
 * Everything is validated before the write, so a failing event leaves the profile untouched.
 */
final class ProfileUpdater {

    /** The event to apply. */
    record Event(String user, String item, double weight, String ts) {}

    private final Client client;
    private final ItemFactorCache factors;
    private final UpdateScheduler scheduler;
    private final int maxRetries;

    ProfileUpdater(Client client, ItemFactorCache factors, UpdateScheduler scheduler, int maxRetries) {
        this.client = client;
        this.factors = factors;
        this.scheduler = scheduler;
        this.maxRetries = maxRetries;
    }

    Client client() {
        return client;
    }

    /** Completes with the profile document's new version. */
    void apply(RecommendModel model, Event event, ActionListener<Long> listener) {
        scheduler.submit(event.user(), done -> attempt(model, event, 0, ActionListener.runAfter(listener, done)));
    }

    private void attempt(RecommendModel model, Event event, int attempt, ActionListener<Long> listener) {
        // The whole source, vectors included: the profile is written back as a whole, other fields untouched.
        GetRequest get = new GetRequest(model.users().index(), event.user()).realtime(true)
            .fetchSourceContext(FetchSourceContext.of(true, false, null, null));
        client.get(get, listener.delegateFailureAndWrap((l, profile) -> onProfile(model, event, attempt, profile, l)));
    }

    private void onProfile(RecommendModel model, Event event, int attempt, GetResponse profile, ActionListener<Long> listener) {
        Map<String, Object> source = profile.isExists() && profile.getSourceAsMap() != null
            ? new HashMap<>(profile.getSourceAsMap())
            : new HashMap<>();
        String historyField = model.users().history();
        History history = History.fromSource(historyField, source.get(historyField))
            .append(event.item(), event.weight(), event.ts(), model.users().maxHistory());
        factors.get(client, model.items().index(), model.items().factors(), history.items(), listener.delegateFailureAndWrap((l, found) -> {
            if (found.containsKey(event.item()) == false) {
                l.onFailure(
                    new IllegalArgumentException(
                        "[item] [" + event.item() + "] has no [" + model.items().factors() + "] in index [" + model.items().index() + "]"
                    )
                );
                return;
            }
            float[] vector = ModelFoldIn.vectorFor(model, history, found);
            source.put(historyField, history.toSource());
            source.put(model.users().factors(), ModelFoldIn.asList(vector));
            IndexRequest write = new IndexRequest(model.users().index()).id(event.user()).source(source);
            if (profile.isExists()) {
                write.setIfSeqNo(profile.getSeqNo()).setIfPrimaryTerm(profile.getPrimaryTerm());
            } else {
                write.opType(DocWriteRequest.OpType.CREATE);
            }
            client.index(write, ActionListener.wrap(response -> l.onResponse(response.getVersion()), e -> {
                if (ExceptionsHelper.unwrapCause(e) instanceof VersionConflictEngineException && attempt < maxRetries) {
                    attempt(model, event, attempt + 1, l);
                } else {
                    l.onFailure(e);
                }
            }));
        }));
    }
}
