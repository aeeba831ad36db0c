package org.recsys.recommend.train;

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
 * A training rewrites whole item documents (a partial update would merge an item's old neighbors into its new ones). A
 * caller under field- or document-level security on the items index reads a filtered view, and writing that back would
 * erase what the caller cannot see. Elasticsearch refuses partial updates to exactly those callers, so a partial update of
 * a document that cannot exist (a fresh random id) tells, before anything is read or written: refused with a 400 under
 * field- or document-level security, "document missing" otherwise.
 */
final class FullViewCheck {

    private FullViewCheck() {}

    static void requireFullView(Client client, String index, ActionListener<Void> listener) {
        UpdateRequest probe = new UpdateRequest(index, "recommend-full-view-check-" + UUIDs.randomBase64UUID()).doc(Map.of());
        client.update(probe, ActionListener.wrap(unexpected -> listener.onResponse(null), e -> {
            Throwable cause = ExceptionsHelper.unwrapCause(e);
            if (cause instanceof DocumentMissingException) {
                listener.onResponse(null);
            } else if (cause instanceof ElasticsearchSecurityException security && security.status() == RestStatus.BAD_REQUEST) {
                listener.onFailure(new ElasticsearchSecurityException("[items.index] the caller reads [" + index
                    + "] under field- or document-level security: a training rewrites whole item documents and would erase the "
                    + "fields hidden from it; train as a user with full access to [" + index + "]", RestStatus.FORBIDDEN));
            } else {
                listener.onFailure(e);
            }
        }));
    }
}
