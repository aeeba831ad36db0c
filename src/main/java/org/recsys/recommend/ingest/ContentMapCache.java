package org.recsys.recommend.ingest;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.get.GetRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.index.IndexNotFoundException;
import org.recsys.recommend.model.ContentMap;
import org.recsys.recommend.model.RecommendModel;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The content → factor maps the item mode of {@code recommend_update} applies, one per model, read from
 * {@value ContentMap#INDEX} with the caller's privileges. An entry is valid for the model state it was read under:
 * {@code _train} stores a new map and then a new state, so the next item after a training reads the new map.
 */
public final class ContentMapCache {

    private record Entry(long stateMillis, ContentMap map) {}

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    void get(Client client, RecommendModel model, ActionListener<ContentMap> listener) {
        long version = model.state() == null ? -1 : model.state().refreshedAtMillis();
        Entry cached = entries.get(model.id());
        if (cached != null && cached.stateMillis() == version) {
            listener.onResponse(cached.map());
            return;
        }
        IllegalArgumentException none = new IllegalArgumentException(
            "[model] [" + model.id() + "] has no content map: train it with content fields (the model's [items.content] or _train's "
                + "[content.fields]) first"
        );
        GetRequest read = new GetRequest(ContentMap.INDEX, ContentMap.documentId(model.id(), model.servingSlot()));
        client.get(read, ActionListener.wrap(response -> {
            if (response.isExists() == false) {
                listener.onFailure(none);
                return;
            }
            ContentMap map = ContentMap.fromSource(response.getSourceAsMap());
            entries.put(model.id(), new Entry(version, map));
            listener.onResponse(map);
        }, e -> listener.onFailure(e instanceof IndexNotFoundException ? none : e)));
    }
}
