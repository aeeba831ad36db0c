package org.recsys.recommend.train;

import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.bulk.BulkItemResponse;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.support.WriteRequest;
import org.elasticsearch.action.update.UpdateRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.index.engine.DocumentMissingException;
import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.TaskCancelledException;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Writes training output with bulk requests, one page at a time: partial updates of existing items (an item that is in
 * the events but not in the catalogue is counted, not created) and upserts of user profiles.
 */
final class TrainingWriter {

    static final int PAGE = 1000;

    /** What a write pass did. */
    static final class Outcome {
        final AtomicLong written = new AtomicLong();
        final AtomicLong missing = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        volatile String firstFailure;
        boolean[] writtenRows;
    }

    private final Client client;
    private final CancellableTask task;

    TrainingWriter(Client client, CancellableTask task) {
        this.client = client;
        this.task = task;
    }

    /** Updates (or, with {@code upsert}, creates) rows 0..n-1 of {@code index}, the document for row r given by {@code docs}. */
    void write(String index, List<String> ids, IntFunction<Map<String, Object>> docs, boolean upsert, ActionListener<Outcome> listener) {
        Outcome outcome = new Outcome();
        outcome.writtenRows = new boolean[ids.size()];
        writePage(index, ids, docs, upsert, 0, outcome, listener);
    }

    private void writePage(String index, List<String> ids, IntFunction<Map<String, Object>> docs, boolean upsert, int from,
        Outcome outcome, ActionListener<Outcome> listener) {
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
            UpdateRequest update = new UpdateRequest(index, ids.get(r)).doc(docs.apply(r));
            bulk.add(upsert ? update.docAsUpsert(true) : update);
        }
        if (to == ids.size()) {
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
                } else if (ExceptionsHelper.unwrapCause(item.getFailure().getCause()) instanceof DocumentMissingException) {
                    outcome.missing.incrementAndGet();
                } else {
                    outcome.failed.incrementAndGet();
                    if (outcome.firstFailure == null) {
                        outcome.firstFailure = "[" + index + "/" + item.getId() + "] " + item.getFailureMessage();
                    }
                }
            }
            writePage(index, ids, docs, upsert, to, outcome, l);
        }));
    }
}
