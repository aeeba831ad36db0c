package org.recsys.recommend.train;

import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.admin.indices.mapping.get.GetFieldMappingsResponse;
import org.elasticsearch.action.admin.indices.mapping.get.GetFieldMappingsResponse.FieldMappingMetadata;
import org.elasticsearch.action.bulk.BulkItemResponse;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.get.GetResponse;
import org.elasticsearch.action.get.MultiGetItemResponse;
import org.elasticsearch.action.get.MultiGetRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.support.WriteRequest;
import org.elasticsearch.action.update.UpdateRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.index.engine.DocumentMissingException;
import org.elasticsearch.index.engine.VersionConflictEngineException;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.TaskCancelledException;
import org.elasticsearch.xcontent.XContentType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Writes training output with bulk requests, one page at a time: the items' trained fields replaced in existing items (an
 * item that is in the events but not in the catalogue is counted, not created) and upserts of user profiles.
 */
final class TrainingWriter {

    static final int PAGE = 1000;
    static final int MAX_CONFLICT_RETRIES = 3;

    /** What a write pass did. */
    static final class Outcome {
        final AtomicLong written = new AtomicLong();
        final AtomicLong missing = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        volatile String firstFailure;
        boolean[] writtenRows;
        // profiles whose version moved since it was read: they took events the training did not read (see ChangedProfiles)
        final List<String> changed = Collections.synchronizedList(new ArrayList<>());
        // the version each profile write left: a profile found at another one later took events meanwhile
        final Map<String, ProfileVersions.Version> writtenVersions = new ConcurrentHashMap<>();
    }

    /**
     * The fields to set in row {@code row}'s document, given what it holds now (null removes a field); null to leave the
     * document as it is.
     */
    @FunctionalInterface
    interface Rewrite {
        Map<String, Object> fields(int row, Map<String, Object> current);
    }

    private final Client client;
    private final CancellableTask task;
    private final boolean refreshLastPage;

    /**
     * {@code refreshLastPage}: a write pass refreshes what its last page touched, so that everything written is searchable
     * when it completes (a training writes in one pass); a caller that writes in many passes refreshes once itself.
     */
    TrainingWriter(Client client, CancellableTask task, boolean refreshLastPage) {
        this.client = client;
        this.task = task;
        this.refreshLastPage = refreshLastPage;
    }

    /**
     * Writes the profiles of rows 0..n-1 of {@code index} (the plugin's fields, given by {@code docs}, as a partial update:
     * the profile's other fields stay), each only if it is still at the version {@code versions} read before the events
     * were: a profile that moved since took events this training did not read, and is listed in {@link Outcome#changed}
     * instead of overwritten. A profile that did not exist then is created, unless one was created meanwhile (also changed).
     */
    void writeProfiles(String index, List<String> ids, IntFunction<Map<String, Object>> docs, Map<String, ProfileVersions.Version> versions,
        ActionListener<Outcome> listener) {
        Outcome outcome = new Outcome();
        outcome.writtenRows = new boolean[ids.size()];
        writePage(index, ids, docs, versions, 0, outcome, listener);
    }

    /**
     * Replaces the fields {@code docs} gives in the existing documents of rows 0..n-1, keeping their other fields. Not a
     * partial update: that merges an object field key by key, so an item's {@code sparse_vector} of neighbors from an earlier
     * training would keep its old keys next to the new ones (and a sparse_vector cannot be set to null to clear it). Each
     * page is read (real time, with any vectors it keeps), rewritten whole with {@code if_seq_no}, and a document changed in
     * between is read and rewritten again (up to {@value #MAX_CONFLICT_RETRIES} times). {@code docs} gives every one of the
     * {@code replaced} fields for every row (null removes the field); those are not read, since they are overwritten.
     * {@code otherVectors}: whether the documents may hold vector fields besides the replaced ones, which must then be read
     * to be kept (Elasticsearch rebuilds every vector of a source it reads, excluded ones too, unless told to leave vectors
     * out: see {@link #holdsOtherVectors}). {@code docs} sees each document as read: a value copied from another field is
     * copied from the version it overwrites. With {@code readReplaced} the replaced fields are read too, for a rewrite that
     * skips documents already holding what it would write.
     */
    void replaceFields(String index, List<String> ids, List<String> replaced, boolean otherVectors, boolean readReplaced,
        Rewrite docs, ActionListener<Outcome> listener) {
        Outcome outcome = new Outcome();
        outcome.writtenRows = new boolean[ids.size()];
        String[] excluded = readReplaced ? null : replaced.toArray(String[]::new);
        FetchSourceContext kept = FetchSourceContext.of(true, otherVectors == false, null, excluded);
        replacePage(index, ids, kept, docs, 0, outcome, listener);
    }

    // field types whose values Elasticsearch may keep out of the stored source and rebuild when a source is read
    private static final Set<String> VECTOR_TYPES = Set.of("dense_vector", "sparse_vector", "rank_vectors", "semantic_text");

    /**
     * Whether any index of {@code mappings} (all its fields) has a vector field other than {@code replaced}: if not, the
     * training reads its documents without vectors (it overwrites the only ones there are).
     */
    static boolean holdsOtherVectors(GetFieldMappingsResponse mappings, List<String> replaced) {
        if (mappings.mappings().isEmpty()) {
            return true; // nothing known: keep every vector
        }
        for (Map<String, FieldMappingMetadata> fields : mappings.mappings().values()) {
            for (FieldMappingMetadata field : fields.values()) {
                Map<?, ?> mapping = FieldMappings.mappingOf(field);
                if (mapping != null && VECTOR_TYPES.contains(mapping.get("type")) && replaced.contains(field.fullName()) == false) {
                    return true;
                }
            }
        }
        return false;
    }

    private void replacePage(String index, List<String> ids, FetchSourceContext kept, Rewrite docs, int from,
        Outcome outcome, ActionListener<Outcome> listener) {
        if (from >= ids.size()) {
            listener.onResponse(outcome);
            return;
        }
        if (task.isCancelled()) {
            listener.onFailure(new TaskCancelledException("cancelled after writing " + outcome.written.get() + " documents to [" + index
                + "]"));
            return;
        }
        int to = Math.min(ids.size(), from + PAGE);
        List<Integer> rows = new ArrayList<>();
        for (int r = from; r < to; r++) {
            rows.add(r);
        }
        replaceRows(index, ids, kept, docs, rows, 0, to == ids.size(), outcome,
            listener.delegateFailureAndWrap((l, v) -> replacePage(index, ids, kept, docs, to, outcome, l)));
    }

    private void replaceRows(String index, List<String> ids, FetchSourceContext kept, Rewrite docs,
        List<Integer> rows, int attempt, boolean last, Outcome outcome, ActionListener<Void> listener) {
        MultiGetRequest read = new MultiGetRequest().realtime(true);
        for (int r : rows) {
            read.add(new MultiGetRequest.Item(index, ids.get(r)).fetchSourceContext(kept));
        }
        client.multiGet(read, listener.delegateFailureAndWrap((l, current) -> {
            BulkRequest bulk = new BulkRequest();
            List<Integer> bulkRows = new ArrayList<>();
            MultiGetItemResponse[] found = current.getResponses();
            for (int i = 0; i < found.length; i++) {
                int r = rows.get(i);
                if (found[i].isFailed()) {
                    failed(outcome, index, ids.get(r), found[i].getFailure().getMessage());
                } else if (found[i].getResponse().isExists() == false) {
                    outcome.missing.incrementAndGet();
                } else {
                    GetResponse item = found[i].getResponse();
                    Map<String, Object> fields = docs.fields(r, Collections.unmodifiableMap(item.getSourceAsMap()));
                    if (fields == null) {
                        continue; // already as it should be
                    }
                    Map<String, Object> source = new HashMap<>(item.getSourceAsMap());
                    fields.forEach((field, value) -> {
                        if (value == null) {
                            source.remove(field); // null: the field is removed
                        } else {
                            source.put(field, value);
                        }
                    });
                    // SMILE: vectors go as binary floats, neither formatted as text here nor parsed from text on the shard
                    bulk.add(new IndexRequest(index).id(ids.get(r)).source(source, XContentType.SMILE).setIfSeqNo(item.getSeqNo())
                        .setIfPrimaryTerm(item.getPrimaryTerm()));
                    bulkRows.add(r);
                }
            }
            if (bulkRows.isEmpty()) {
                l.onResponse(null);
                return;
            }
            if (last && refreshLastPage) {
                // the last page refreshes what it touched (with a page this large, every shard): searchable when _train answers
                bulk.setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
            }
            client.bulk(bulk, l.delegateFailureAndWrap((ll, response) -> {
                List<Integer> conflicted = new ArrayList<>();
                BulkItemResponse[] items = response.getItems();
                for (int n = 0; n < items.length; n++) {
                    int r = bulkRows.get(n);
                    if (items[n].isFailed() == false) {
                        outcome.written.incrementAndGet();
                        outcome.writtenRows[r] = true;
                    } else if (ExceptionsHelper.unwrapCause(items[n].getFailure().getCause()) instanceof VersionConflictEngineException
                        && attempt < MAX_CONFLICT_RETRIES) {
                        conflicted.add(r); // changed since it was read: read it again
                    } else {
                        failed(outcome, index, ids.get(r), items[n].getFailureMessage());
                    }
                }
                if (conflicted.isEmpty()) {
                    ll.onResponse(null);
                } else {
                    replaceRows(index, ids, kept, docs, conflicted, attempt + 1, last, outcome, ll);
                }
            }));
        }));
    }

    private static void failed(Outcome outcome, String index, String id, String message) {
        outcome.failed.incrementAndGet();
        if (outcome.firstFailure == null) {
            outcome.firstFailure = "[" + index + "/" + id + "] " + message;
        }
    }

    private void writePage(String index, List<String> ids, IntFunction<Map<String, Object>> docs,
        Map<String, ProfileVersions.Version> versions, int from, Outcome outcome, ActionListener<Outcome> listener) {
        if (from >= ids.size()) {
            listener.onResponse(outcome);
            return;
        }
        if (task.isCancelled()) {
            String written = outcome.written.get() + " documents to [" + index + "]";
            listener.onFailure(new TaskCancelledException("cancelled after writing " + written));
            return;
        }
        int to = Math.min(ids.size(), from + PAGE);
        BulkRequest bulk = new BulkRequest();
        for (int r = from; r < to; r++) {
            ProfileVersions.Version version = versions.get(ids.get(r));
            if (version != null) {
                bulk.add(new UpdateRequest(index, ids.get(r)).doc(docs.apply(r), XContentType.SMILE) // as above
                    .setIfSeqNo(version.seqNo()).setIfPrimaryTerm(version.primaryTerm()));
            } else {
                bulk.add(new IndexRequest(index).id(ids.get(r)).source(docs.apply(r), XContentType.SMILE)
                    .opType(DocWriteRequest.OpType.CREATE));
            }
        }
        if (to == ids.size() && refreshLastPage) {
            // the last page refreshes what it touched (with a page this large, every shard), so everything written is
            // searchable when _train answers: a recommend query or _evaluate right after sees the new factors
            bulk.setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
        }
        client.bulk(bulk, listener.delegateFailureAndWrap((l, response) -> {
            BulkItemResponse[] items = response.getItems();
            for (int n = 0; n < items.length; n++) {
                BulkItemResponse item = items[n];
                if (item.isFailed() == false) {
                    outcome.written.incrementAndGet();
                    outcome.writtenRows[from + n] = true;
                    outcome.writtenVersions.put(item.getId(), new ProfileVersions.Version(item.getResponse().getSeqNo(),
                        item.getResponse().getPrimaryTerm()));
                } else if (ExceptionsHelper.unwrapCause(item.getFailure().getCause()) instanceof VersionConflictEngineException) {
                    outcome.changed.add(item.getId());
                } else if (ExceptionsHelper.unwrapCause(item.getFailure().getCause()) instanceof DocumentMissingException) {
                    outcome.missing.incrementAndGet(); // deleted while the training ran: not brought back
                } else {
                    outcome.failed.incrementAndGet();
                    if (outcome.firstFailure == null) {
                        outcome.firstFailure = "[" + index + "/" + item.getId() + "] " + item.getFailureMessage();
                    }
                }
            }
            writePage(index, ids, docs, versions, to, outcome, l);
        }));
    }
}
