package org.recsys.recommend.train;

import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.ResourceAlreadyExistsException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.admin.indices.create.CreateIndexRequest;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.IndexNotFoundException;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.elasticsearch.search.sort.SortOrder;
import org.elasticsearch.xcontent.XContentType;
import org.recsys.recommend.math.ContentFeatures;
import org.recsys.recommend.math.ContentToFactors;
import org.recsys.recommend.model.ContentMap;
import org.recsys.recommend.model.RecommendModel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The content phase of {@code _train}: read the content fields of the catalogue, fit the content → factor map on the trained
 * items (their trained factors are the targets), and store it for the ingest path, which gives new items factors from their
 * content alone. Reading and fitting need only the trained factors, so they run while the training's documents are being
 * written ({@link #readAndFit}); storing the map and re-mapping the items outside the training wait until every write
 * succeeded ({@link #storeAndRemap}), so a failed write leaves the previous map in place. Runs with the caller's
 * privileges: read on the items, and create-index and write on {@value ContentMap#INDEX}.
 */
final class ContentMapTrainer {

    private static final int READ_PAGE = 5000;

    private ContentMapTrainer() {}

    /** What the content phase did: the map's number of features, and how many items outside the training it re-mapped. */
    record Outcome(int features, long remapped) {}

    /**
     * A fitted map (null when no trained item is in the catalogue), every catalogue item's content, and the ids the map was
     * fitted on: the trained items found in the catalogue, i.e. those the training writes.
     */
    record Fitted(ContentMap map, Map<String, Map<String, List<String>>> content, Set<String> trained) {}

    /** Reads the catalogue's content fields and fits the map on the items of {@code factors} that are in the catalogue. */
    static void readAndFit(Client client, TrainTask task, RecommendModel model, ContentMapSpec spec, Map<String, float[]> factors,
        Executor pool, ActionListener<Fitted> listener) {
        Map<String, Map<String, List<String>>> content = new HashMap<>();
        SearchSourceBuilder source = new SearchSourceBuilder().size(READ_PAGE)
            .sort("_doc", SortOrder.ASC)
            .fetchSource(FetchSourceContext.of(true, null, spec.fields().toArray(String[]::new), null));
        ScrollScan.scan(client, task, new SearchRequest(model.items().index()).source(source), hits -> {
            for (SearchHit hit : hits) {
                Map<String, Object> itemSource = hit.getSourceAsMap();
                content.put(hit.getId(), ContentMap.contentOf(spec.fields(), itemSource == null ? Map.of() : itemSource));
            }
        }, listener.delegateFailureAndWrap((l, v) -> pool.execute(() -> {
            try {
                Map<String, float[]> trained = new HashMap<>();
                Map<String, Map<String, List<String>>> trainedContent = new HashMap<>();
                factors.forEach((id, vector) -> {
                    if (content.containsKey(id)) {
                        trained.put(id, vector);
                        trainedContent.put(id, content.get(id));
                    }
                });
                ContentMap map = trained.isEmpty() ? null : fit(spec, trainedContent, trained);
                l.onResponse(new Fitted(map, content, trained.keySet()));
            } catch (Exception e) {
                l.onFailure(e);
            }
        })));
    }

    /**
     * Stores the map under the slot the training builds, then gives every catalogue item that was not in this training
     * factors from its content with the new map in that slot (an item without a known word has none there): whatever factors
     * such an item had belong to an earlier model's space, where this model's user vectors give them meaningless scores.
     * Their popularity and neighbors go ({@link UntrainedItems}).
     */
    static void storeAndRemap(Client client, TrainTask task, RecommendModel model, Fitted fitted, boolean neighborsTrained,
        ActionListener<Outcome> listener) {
        List<String> untrained = fitted.content().keySet().stream().filter(id -> fitted.trained().contains(id) == false).sorted().toList();
        String documentId = ContentMap.documentId(model.id(), model.building().slot());
        store(client, documentId, fitted.map(), listener.delegateFailureAndWrap((l, stored) -> UntrainedItems.rewrite(client, task, model,
            untrained, neighborsTrained, r -> fitted.map().factorsFor(fitted.content().get(untrained.get(r))),
            l.map(remapped -> new Outcome(fitted.map().features().size(), remapped)))));
    }

    /**
     * Deletes the map of {@code slot}, if any, when a training switching to that slot fits none: a map fitted on the
     * factors of the training before last would otherwise be applied to this one's. Nothing to delete (no map, no index) is
     * fine; any other failure fails the training before it switches.
     */
    static void dropMap(Client client, String modelId, int slot, ActionListener<Void> listener) {
        DeleteRequest delete = new DeleteRequest(ContentMap.INDEX, ContentMap.documentId(modelId, slot));
        client.delete(delete, ActionListener.wrap(r -> listener.onResponse(null), e -> {
            if (ExceptionsHelper.unwrapCause(e) instanceof IndexNotFoundException) {
                listener.onResponse(null);
            } else {
                listener.onFailure(e);
            }
        }));
    }

    static ContentMap fit(ContentMapSpec spec, Map<String, Map<String, List<String>>> content, Map<String, float[]> trained) {
        List<String> ids = new ArrayList<>(content.keySet());
        ids.sort(null); // a deterministic vocabulary and fit for the same data
        ContentFeatures features = ContentFeatures.fit(ids.stream().map(content::get).toList(), spec.minItems(), spec.maxFeatures());
        int[][] x = new int[ids.size()][];
        float[][] y = new float[ids.size()][];
        for (int i = 0; i < ids.size(); i++) {
            x[i] = features.encode(content.get(ids.get(i)));
            y[i] = trained.get(ids.get(i));
        }
        int k = trained.values().iterator().next().length;
        return new ContentMap(spec.fields(), features, ContentToFactors.fit(x, y, features.size(), k, spec.lambda()),
            System.currentTimeMillis());
    }

    private static void store(Client client, String documentId, ContentMap map, ActionListener<Object> listener) {
        // hidden (no wildcard search returns it) and not indexed: the maps are only ever read back by id
        CreateIndexRequest create = new CreateIndexRequest(ContentMap.INDEX).settings(
            Settings.builder().put("index.hidden", true).put("index.number_of_shards", 1).put("index.auto_expand_replicas", "0-1")
        ).mapping("{\"_doc\":{\"enabled\":false}}");
        IndexRequest write = new IndexRequest(ContentMap.INDEX).id(documentId).source(map.toSource(), XContentType.JSON);
        client.admin().indices().create(create, ActionListener.wrap(created -> client.index(write, listener.map(r -> r)), e -> {
            if (ExceptionsHelper.unwrapCause(e) instanceof ResourceAlreadyExistsException) {
                client.index(write, listener.map(r -> r));
            } else {
                listener.onFailure(e);
            }
        }));
    }
}
