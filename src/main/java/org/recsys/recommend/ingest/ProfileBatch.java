package org.recsys.recommend.ingest;

import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.bulk.BulkItemResponse;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.action.get.GetResponse;
import org.elasticsearch.action.get.MultiGetItemResponse;
import org.elasticsearch.action.get.MultiGetRequest;
import org.elasticsearch.action.get.MultiGetResponse;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.index.IndexNotFoundException;
import org.elasticsearch.index.engine.VersionConflictEngineException;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentFactory;
import org.elasticsearch.xcontent.XContentType;
import org.recsys.recommend.stats.RecommendStats;
import org.recsys.recommend.model.FullView;
import org.recsys.recommend.model.ModelIndices;
import org.recsys.recommend.model.ModelFields;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.model.UsersConfig;
import org.recsys.recommend.query.SeenIds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One group commit: read the batch's profiles in one multi-get (real time, with sequence numbers), apply each user's events
 * in order to their bounded history, fold each user in once against the model, and write the profiles back in one bulk,
 * each only if nobody wrote it in between. Every event is answered exactly once: with the profile's new version once its
 * write is acknowledged, with its own error (an item without factors, say) without touching the profile, or, after a write
 * conflict, by going back to the queue to be applied to the fresh profile.
 */
final class ProfileBatch {

    private final Client client;
    private final ItemFactorCache factors;
    private final ProfileCache profiles;
    private final Map<String, String> headers; // the caller's: part of the profile cache's key
    private long cacheGeneration;
    private boolean usersIndexCreated;
    private final RecommendModel model;
    private final ModelFields serving; // the fields the model serves, read once per batch
    private final Map<String, List<ProfileBatcher.Pending>> byUser = new LinkedHashMap<>();
    private final Consumer<List<ProfileBatcher.Pending>> requeue;
    private final RecommendStats stats;

    /** {@code requeue} takes events whose write conflicted; they go back ahead of their users' later events. */
    ProfileBatch(
        Client client,
        ItemFactorCache factors,
        ProfileCache profiles,
        Map<String, String> headers,
        List<ProfileBatcher.Pending> batch,
        Consumer<List<ProfileBatcher.Pending>> requeue,
        RecommendStats stats
    ) {
        this.stats = stats;
        this.client = client;
        this.factors = factors;
        this.profiles = profiles;
        this.headers = headers;
        this.requeue = requeue;
        // the newest model object: a _refresh while the events waited gives the batch the fresh Gramian
        this.model = batch.get(batch.size() - 1).model();
        this.serving = model.serving();
        for (ProfileBatcher.Pending pending : batch) {
            byUser.computeIfAbsent(pending.event().user(), u -> new ArrayList<>()).add(pending);
        }
    }

    /** Runs the batch; {@code done} runs once, after every event has been answered or put back. */
    void run(Runnable done) {
        cacheGeneration = profiles.generation(); // before any read: see ProfileCache.put
        Map<String, Stored> stored = new HashMap<>();
        MultiGetRequest mget = new MultiGetRequest().realtime(true);
        // the whole source, other vectors included (the profile is written back as a whole, other fields untouched: the batch
        // checked that the sender sees whole profiles), except the user's factors: the fold-in replaces them, so reading them
        // would only cost a vector to load and parse per user
        FetchSourceContext source = FetchSourceContext.of(true, false, null, new String[] { serving.userFactors() });
        for (String user : byUser.keySet()) {
            ProfileCache.Profile cached = profiles.get(key(user));
            if (cached != null) {
                stored.put(user, new Stored(true, cached.seqNo(), cached.primaryTerm(), cached.source(), cached.history()));
            } else {
                mget.add(new MultiGetRequest.Item(model.users().index(), user).fetchSourceContext(source));
            }
        }
        if (mget.getItems().isEmpty()) {
            requireFullView(() -> onProfiles(stored, done), done);
            return;
        }
        client.multiGet(mget, ActionListener.wrap(response -> {
            if (usersIndexCreated == false && usersIndexMissing(response)) {
                // the first events of a model whose users index does not exist: create it with its fields mapped (as a first
                // write would, with the sender's privileges) instead of letting a dynamic mapping guess them
                usersIndexCreated = true;
                ModelIndices.createUsersIndex(client, model, ActionListener.wrap(created -> run(done), e -> {
                    failAll(e);
                    done.run();
                }));
                return;
            }
            try {
                for (MultiGetItemResponse item : response.getResponses()) {
                    if (item.isFailed()) {
                        fail(item.getId(), item.getFailure().getFailure());
                    } else {
                        stored.put(item.getId(), Stored.of(item.getResponse()));
                    }
                }
            } catch (RuntimeException e) {
                failAll(e);
                done.run();
                return;
            }
            requireFullView(() -> onProfiles(stored, done), done);
        }, e -> {
            failAll(e);
            done.run();
        }));
    }

    /**
     * Profiles are read and written back whole: a sender under field- or document-level security on the users index, who
     * reads a filtered view, would erase what it cannot see. Checked once per batch, with the batch's sender's privileges
     * (a batch holds one sender's events), before anything is written; such a sender's events fail with a 403.
     */
    private void requireFullView(Runnable then, Runnable done) {
        FullView.require(client, model.users().index(), "users.index", "recommend_update rewrites whole profiles",
            ActionListener.wrap(v -> then.run(), e -> {
                failAll(e);
                done.run();
            }));
    }

    private static boolean usersIndexMissing(MultiGetResponse response) {
        for (MultiGetItemResponse item : response.getResponses()) {
            if (item.isFailed() && ExceptionsHelper.unwrapCause(item.getFailure().getFailure()) instanceof IndexNotFoundException) {
                return true;
            }
        }
        return false;
    }

    /** A profile as read (or as this node last wrote it): whether it exists, its version and its source without factors. */
    private record Stored(boolean exists, long seqNo, long primaryTerm, Map<String, Object> source, History history) {
        static Stored of(GetResponse get) {
            Map<String, Object> source = get.isExists() && get.getSourceAsMap() != null ? get.getSourceAsMap() : Map.of();
            return new Stored(get.isExists(), get.getSeqNo(), get.getPrimaryTerm(), source, null);
        }
    }

    private ProfileCache.Key key(String user) {
        return new ProfileCache.Key(headers, model.users().index(), model.id(), serving.userFactors(), model.users().history(),
            user);
    }

    private void onProfiles(Map<String, Stored> stored, Runnable done) {
        Set<String> items = new LinkedHashSet<>();
        Map<String, History> histories = new HashMap<>();
        for (Map.Entry<String, Stored> profile : stored.entrySet()) {
            History history = profile.getValue().history();
            if (history == null) {
                try {
                    history = History.fromStored(model.users().history(), profile.getValue().source().get(model.users().history()));
                } catch (IllegalArgumentException e) {
                    fail(profile.getKey(), e); // a malformed stored history fails that user's events only
                    continue;
                }
            }
            histories.put(profile.getKey(), history);
            items.addAll(history.items());
            byUser.get(profile.getKey()).forEach(p -> items.add(p.event().item()));
        }
        if (histories.isEmpty()) {
            done.run();
            return;
        }
        factors.get(client, model.items().index(), serving.itemFactors(), items, ActionListener.wrap(found -> {
            try {
                write(stored, histories, found, done);
            } catch (RuntimeException e) {
                failAll(e);
                done.run();
            }
        }, e -> {
            histories.keySet().forEach(user -> fail(user, e));
            done.run();
        }));
    }

    private void write(Map<String, Stored> stored, Map<String, History> histories, Map<String, float[]> found, Runnable done) {
        BulkRequest bulk = new BulkRequest();
        List<String> written = new ArrayList<>();
        Map<String, ProfileCache.Profile> toCache = new HashMap<>();
        Map<String, List<ProfileBatcher.Pending>> applied = new HashMap<>();
        Map<String, float[]> vectors = new HashMap<>();
        int k = model.factors().dims();
        for (Map.Entry<String, History> entry : histories.entrySet()) {
            String user = entry.getKey();
            History history = entry.getValue();
            Stored profile = stored.get(user);
            AppliedEvents appliedIds = AppliedEvents.fromSource(profile.source().get(UsersConfig.EVENT_IDS));
            List<ProfileBatcher.Pending> ok = new ArrayList<>();
            for (ProfileBatcher.Pending pending : byUser.get(user)) {
                ProfileEvent event = pending.event();
                if (appliedIds.contains(event.eventId())) {
                    pending.listener().onResponse(-1L); // a retry of an event this profile already took: it counts once
                    continue;
                }
                float[] y = found.get(event.item());
                if (y == null) {
                    pending.listener().onFailure(new IllegalArgumentException("[item] [" + event.item() + "] has no ["
                        + serving.itemFactors() + "] in index [" + model.items().index() + "]"));
                } else if (y.length != k) {
                    pending.listener().onFailure(new IllegalArgumentException("[" + serving.itemFactors() + "] of item ["
                        + event.item() + "] has " + y.length + " dims but model [" + model.id() + "] expects " + k));
                } else {
                    history = history.append(event.item(), event.weight(), event.ts(), model.users().maxHistory());
                    appliedIds.add(event.eventId());
                    ok.add(pending);
                }
            }
            if (ok.isEmpty()) {
                continue;
            }
            float[] vector;
            try {
                vector = ModelFoldIn.vectorFor(model, history, found, factors);
            } catch (IllegalArgumentException e) {
                ok.forEach(p -> p.listener().onFailure(e));
                continue;
            }
            Map<String, Object> others;
            try {
                others = appliedIds.into(withSeen(otherFields(profile.source()), entry.getValue(), history, ok));
            } catch (IllegalArgumentException e) {
                ok.forEach(p -> p.listener().onFailure(e)); // a malformed stored seen set fails that user's events only
                continue;
            }
            IndexRequest request = new IndexRequest(model.users().index()).id(user).source(profileSource(others, history, vector),
                XContentType.SMILE);
            if (profile.exists()) {
                request.setIfSeqNo(profile.seqNo()).setIfPrimaryTerm(profile.primaryTerm());
            } else {
                request.opType(DocWriteRequest.OpType.CREATE); // a profile created meanwhile is a conflict, not an overwrite
            }
            bulk.add(request);
            // what the profile will be once written (the version comes with the response): the next batch starts from it
            toCache.put(user, ProfileCache.Profile.of(-1, -1, others, history));
            written.add(user);
            applied.put(user, ok);
            vectors.put(user, vector);
        }
        if (written.isEmpty()) {
            done.run();
            return;
        }
        client.bulk(bulk, ActionListener.wrap(response -> {
            List<Runnable> acknowledgements = onWritten(response, written, applied, toCache);
            try {
                ItemNudges.apply(client, model, response, written, applied, vectors, () -> {
                    acknowledgements.forEach(Runnable::run);
                    done.run();
                });
            } catch (RuntimeException e) {
                // the profiles are written: a failed nudge must not turn into failed events (wrap's failure handler would)
                acknowledgements.forEach(Runnable::run);
                done.run();
            }
        }, e -> {
            applied.values().forEach(events -> events.forEach(p -> p.listener().onFailure(e)));
            done.run();
        }));
    }

    /** {@code others} with the seen set updated for the history's change ({@link SeenItems}); the same map when it stays. */
    private Map<String, Object> withSeen(Map<String, Object> others, History before, History after, List<ProfileBatcher.Pending> applied) {
        String field = model.users().seen();
        List<String> seen = SeenIds.fromSource(field, others.get(field));
        List<String> next = SeenItems.update(seen, before, after, applied.stream().map(p -> p.event().item()).toList());
        if (next == null) {
            return others;
        }
        Map<String, Object> updated = new HashMap<>(others);
        updated.put(field, next);
        return Collections.unmodifiableMap(updated);
    }

    /** The profile's fields as read, other than the two the fold-in rewrites (the factors and the history), unmodifiable. */
    private Map<String, Object> otherFields(Map<String, Object> source) {
        String factorsField = serving.userFactors();
        String historyField = model.users().history();
        if (source.containsKey(factorsField) == false && source.containsKey(historyField) == false) {
            return Collections.unmodifiableMap(source); // as cached: already without them
        }
        Map<String, Object> others = new HashMap<>(source);
        others.remove(factorsField);
        others.remove(historyField);
        return Collections.unmodifiableMap(others);
    }

    /**
     * The profile as written: its other fields as they were, then the history and the vector streamed straight into SMILE
     * (Elasticsearch's binary JSON), without building maps or boxed floats for them. SMILE, not JSON: the vector's floats go as
     * binary, neither formatted as text here nor parsed from text on the shard.
     */
    private BytesReference profileSource(Map<String, Object> others, History history, float[] vector) {
        try (XContentBuilder builder = XContentFactory.contentBuilder(XContentType.SMILE)) {
            builder.startObject();
            for (Map.Entry<String, Object> field : others.entrySet()) {
                builder.field(field.getKey(), field.getValue());
            }
            builder.startArray(model.users().history());
            for (History.Entry entry : history.entries()) {
                builder.startObject().field("item", entry.item()).field("weight", entry.weight());
                if (entry.ts() != null) {
                    builder.field("ts", entry.ts());
                }
                builder.endObject();
            }
            builder.endArray();
            builder.array(serving.userFactors(), vector);
            return BytesReference.bytes(builder.endObject());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory stream: not expected
        }
    }

    /** Answers failed events and puts conflicted ones back; returns the acknowledgements of the written ones, to run last. */
    private List<Runnable> onWritten(BulkResponse response, List<String> written, Map<String, List<ProfileBatcher.Pending>> applied,
        Map<String, ProfileCache.Profile> toCache) {
        List<Runnable> acknowledgements = new ArrayList<>();
        List<ProfileBatcher.Pending> conflicted = new ArrayList<>();
        BulkItemResponse[] items = response.getItems();
        for (int i = 0; i < items.length; i++) {
            String user = written.get(i);
            List<ProfileBatcher.Pending> events = applied.get(user);
            BulkItemResponse item = items[i];
            if (item.isFailed()) {
                profiles.invalidate(key(user)); // read it fresh next time, whatever went wrong
            } else {
                ProfileCache.Profile next = toCache.get(user);
                profiles.put(key(user), next.withVersion(item.getResponse().getSeqNo(), item.getResponse().getPrimaryTerm()),
                    cacheGeneration);
            }
            if (item.isFailed() == false) {
                long version = item.getVersion();
                stats.eventsFolded(events.size());
                acknowledgements.add(() -> events.forEach(p -> p.listener().onResponse(version)));
            } else if (ExceptionsHelper.unwrapCause(item.getFailure().getCause()) instanceof VersionConflictEngineException) {
                for (ProfileBatcher.Pending p : events) {
                    if (p.attempt() < p.maxRetries()) {
                        conflicted.add(p.retried());
                    } else {
                        p.listener().onFailure(item.getFailure().getCause());
                    }
                }
            } else {
                events.forEach(p -> p.listener().onFailure(item.getFailure().getCause()));
            }
        }
        if (conflicted.isEmpty() == false) {
            stats.profileConflicts(conflicted.size());
            requeue.accept(conflicted);
        }
        return acknowledgements;
    }

    private void fail(String user, Exception e) {
        List<ProfileBatcher.Pending> events = byUser.get(user);
        if (events != null) {
            events.forEach(p -> p.listener().onFailure(e));
        }
    }

    private void failAll(Exception e) {
        byUser.values().forEach(events -> events.forEach(p -> p.listener().onFailure(e)));
    }
}
