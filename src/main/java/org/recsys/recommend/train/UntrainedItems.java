package org.recsys.recommend.train;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.index.query.BoolQueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.sort.SortOrder;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.model.RecommendModel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Catalogue items a training did not see (no event in its event set). Their popularity and neighbor list came from an
 * earlier training, over other events and perhaps with another similarity on another scale: left in place they would be
 * scored next to this training's values (a stale cosine list, ~0.3 per history item, among EASE weights of ~0.01 puts its
 * item first for everyone). So a training removes them. Their factors are re-mapped from content when the training fits a
 * content map, and otherwise kept: nothing better is known about them.
 */
final class UntrainedItems {

    private static final int READ_PAGE = 5000;

    private UntrainedItems() {}

    /**
     * The ids of the items that are not in {@code trained} and still hold a popularity or a neighbor list (an item cleared
     * by an earlier training is not rewritten again), sorted.
     */
    static void find(Client client, TrainTask task, RecommendModel model, Set<String> trained, ActionListener<List<String>> listener) {
        List<String> untrained = new ArrayList<>();
        BoolQueryBuilder holding = QueryBuilders.boolQuery()
            .should(QueryBuilders.existsQuery(model.items().popularity()))
            .should(QueryBuilders.existsQuery(model.items().neighbors()));
        SearchSourceBuilder source = new SearchSourceBuilder().query(holding)
            .size(READ_PAGE)
            .sort("_doc", SortOrder.ASC)
            .fetchSource(false);
        ScrollScan.scan(client, task, new SearchRequest(model.items().index()).source(source), hits -> {
            for (SearchHit hit : hits) {
                if (trained.contains(hit.getId()) == false) {
                    untrained.add(hit.getId());
                }
            }
        }, listener.map(v -> {
            untrained.sort(null);
            return untrained;
        }));
    }

    /**
     * Removes the popularity (and, when this training computed neighbors, the neighbor list) of the untrained items; with
     * {@code factors} given, their factors become factors.apply(row) (null removes them), otherwise they are kept.
     * Completes with the number of items rewritten.
     */
    static void clear(Client client, TrainTask task, RecommendModel model, List<String> untrained, boolean neighborsTrained,
        IntFunction<float[]> factors, ActionListener<Long> listener) {
        if (untrained.isEmpty()) {
            listener.onResponse(0L);
            return;
        }
        List<String> replaced = new ArrayList<>(List.of(model.items().popularity()));
        if (neighborsTrained) {
            replaced.add(model.items().neighbors());
        }
        if (factors != null) {
            replaced.add(model.items().factors());
        }
        // every vector the items keep is read and kept: right for any mapping (no mapping check for this smaller pass)
        new TrainingWriter(client, task).replaceFields(model.items().index(), untrained, replaced, true, r -> {
            Map<String, Object> doc = new HashMap<>();
            for (String field : replaced) {
                doc.put(field, null); // null removes the field
            }
            if (factors != null) {
                float[] vector = factors.apply(r);
                doc.put(model.items().factors(), vector == null ? null : Vectors.asList(vector));
            }
            return doc;
        }, listener.map(outcome -> {
            if (outcome.failed.get() > 0) {
                throw new IllegalStateException("items outside the training: " + outcome.failed.get()
                    + " could not be updated (first: " + outcome.firstFailure + ")");
            }
            return outcome.written.get();
        }));
    }
}
