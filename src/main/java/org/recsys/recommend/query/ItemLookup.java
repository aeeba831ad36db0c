package org.recsys.recommend.query;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.get.MultiGetItemResponse;
import org.elasticsearch.action.get.MultiGetRequest;
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
        boolean multiGet,
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
        // Vectors are left out of _source by default and patched back in only on request, which costs a vector read per
        // item: ask for them only when a seed needs its factors. Without seeds the whole (vector-free) source is read:
        // source filtering compiles an automaton for every document, which cost more than parsing a catalogue item.
        FetchSourceContext fetch = vectorField == null
            ? FetchSourceContext.of(true, true, null, null)
            : FetchSourceContext.of(true, false, includes.toArray(String[]::new), null);
        if (multiGet) {
            // One index by one name (the usual case): a multi-get reads the documents directly, without a query phase.
            MultiGetRequest mget = new MultiGetRequest().realtime(true);
            ids.forEach(id -> mget.add(new MultiGetRequest.Item(indices[0], id).fetchSourceContext(fetch)));
            client.multiGet(mget, listener.delegateFailureAndWrap((l, response) -> {
                Found found = new Found(new ArrayList<>(), new ArrayList<>());
                for (MultiGetItemResponse item : response.getResponses()) {
                    if (item.isFailed()) {
                        // e.g. a security exception: the caller may not read these items, which is an error, not "no item"
                        l.onFailure(item.getFailure().getFailure());
                        return;
                    }
                    if (item.getResponse().isExists()) {
                        collect(item.getIndex(), item.getId(), item.getResponse().getSourceAsMap(), contentIds, contentFields, seedIds,
                            vectorField, found);
                    }
                }
                l.onResponse(found);
            }));
            return;
        }
        SearchSourceBuilder source = new SearchSourceBuilder().query(QueryBuilders.idsQuery().addIds(ids.toArray(String[]::new)))
            .size(ids.size())
            .fetchSource(fetch);
        client.search(new SearchRequest(indices).source(source), listener.delegateFailureAndWrap((l, response) -> {
            Found found = new Found(new ArrayList<>(), new ArrayList<>());
            for (SearchHit hit : response.getHits().getHits()) {
                collect(hit.getIndex(), hit.getId(), hit.getSourceAsMap(), contentIds, contentFields, seedIds, vectorField, found);
            }
            l.onResponse(found);
        }));
    }

    private static void collect(String index, String id, Map<String, Object> doc, Collection<String> contentIds,
        List<String> contentFields, Collection<String> seedIds, String vectorField, Found found) {
        if (doc == null) {
            return;
        }
        if (contentIds.contains(id)) {
            appendContent(doc, contentFields, found.texts());
        }
        if (vectorField != null && seedIds.contains(id)) {
            float[] vector = ProfileLookup.readVector(index + "/" + id, vectorField, doc.get(vectorField));
            if (vector != null) {
                found.seedVectors().add(vector);
            }
        }
    }

    /** Appends the values of an item's content fields (top-level fields of its source, arrays flattened) to texts. */
    static void appendContent(Map<String, Object> source, List<String> fields, List<String> texts) {
        for (String field : fields) {
            appendText(source.get(field), texts);
        }
    }

    private static void appendText(Object value, List<String> texts) {
        if (value instanceof Collection<?> values) {
            values.forEach(v -> appendText(v, texts));
        } else if (value != null) {
            texts.add(value.toString());
        }
    }
}
