package org.recsys.recommend.query;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Fetches what the history and seed items contribute besides their ids: their content (the text of the content signal)
 * and, for seeds, their factors (the query vector when there is no user vector). One search over the indices being
 * queried, with the caller's privileges.
 */
final class ItemLookup {

    /** The items' content, as like-texts, and the factors found for the seed items. */
    record Found(List<String> texts, List<float[]> seedVectors) {}

    /** At most this many history items feed the content signal: the most recent ones, so the query stays small. */
    static final int MAX_CONTENT_ITEMS = 50;

    private ItemLookup() {}

    static void fetch(
        String[] indices,
        Collection<String> contentIds,
        List<String> contentFields,
        Collection<String> seedIds,
        String vectorField,
        Client client,
        ActionListener<Found> listener
    ) {
        List<String> ids = new ArrayList<>(contentIds);
        seedIds.stream().filter(id -> contentIds.contains(id) == false).forEach(ids::add);
        List<String> includes = new ArrayList<>(contentFields);
        if (vectorField != null) {
            includes.add(vectorField);
        }
        SearchSourceBuilder source = new SearchSourceBuilder().query(QueryBuilders.idsQuery().addIds(ids.toArray(String[]::new)))
            .size(ids.size())
            .fetchSource(FetchSourceContext.of(true, false, includes.toArray(String[]::new), null));
        SearchRequest search = new SearchRequest(indices).source(source);
        client.search(search, ActionListener.wrap(response -> {
            List<String> texts = new ArrayList<>();
            List<float[]> vectors = new ArrayList<>();
            for (SearchHit hit : response.getHits().getHits()) {
                Map<String, Object> doc = hit.getSourceAsMap();
                if (doc == null) {
                    continue;
                }
                if (contentIds.contains(hit.getId())) {
                    for (String field : contentFields) {
                        appendText(doc.get(field), texts);
                    }
                }
                if (vectorField != null && seedIds.contains(hit.getId())) {
                    float[] vector = ProfileLookup.readVector(hit.getIndex() + "/" + hit.getId(), vectorField, doc.get(vectorField));
                    if (vector != null) {
                        vectors.add(vector);
                    }
                }
            }
            listener.onResponse(new Found(texts, vectors));
        }, listener::onFailure));
    }

    private static void appendText(Object value, List<String> texts) {
        if (value instanceof Collection<?> values) {
            values.forEach(v -> appendText(v, texts));
        } else if (value != null) {
            texts.add(value.toString());
        }
    }
}
