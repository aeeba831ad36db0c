package org.recsys.recommend.model;

import org.elasticsearch.ElasticsearchSecurityException;
import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.update.UpdateRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.UUIDs;
import org.elasticsearch.index.engine.DocumentMissingException;
import org.elasticsearch.rest.RestStatus;

import java.util.Map;

/**
 * Whether the caller sees whole documents of an index. The plugin rewrites whole documents it has read (a training its
 * items, the processor its profiles): a caller under field- or document-level security reads a filtered view, and writing
 * that back would erase what the caller cannot see. Elasticsearch refuses partial updates to exactly those callers, so a
 * partial update of a document that cannot exist (a fresh random id) tells, before anything is read or written: refused
 * with a 400 under field- or document-level security, "document missing" otherwise. The index must exist (an update would
 * create a missing one with dynamic mappings).
 */
public final class FullView {

    private FullView() {}

    /**
     * Answers once the caller is known to see whole documents of {@code index}; fails with a 403 naming {@code setting} and
     * saying what would be erased ({@code rewrites}) otherwise.
     */
    public static void require(Client client, String index, String setting, String rewrites, ActionListener<Void> listener) {
        UpdateRequest probe = new UpdateRequest(index, "recommend-full-view-check-" + UUIDs.randomBase64UUID()).doc(Map.of());
        client.update(probe, ActionListener.wrap(unexpected -> listener.onResponse(null), e -> {
            Throwable cause = ExceptionsHelper.unwrapCause(e);
            if (cause instanceof DocumentMissingException) {
                listener.onResponse(null);
            } else if (cause instanceof ElasticsearchSecurityException security && security.status() == RestStatus.BAD_REQUEST) {
                listener.onFailure(new ElasticsearchSecurityException("[" + setting + "] the caller reads [" + index + "] under field- or "
                    + "document-level security: " + rewrites + " and would erase the fields hidden from it; grant full access to ["
                    + index + "]", RestStatus.FORBIDDEN));
            } else {
                listener.onFailure(e);
            }
        }));
    }
}
