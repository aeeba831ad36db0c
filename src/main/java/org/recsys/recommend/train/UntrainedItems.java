package org.recsys.recommend.train;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.xcontent.support.XContentMapValues;
import org.elasticsearch.index.query.BoolQueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.sort.SortOrder;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.model.ModelFields;
import org.recsys.recommend.model.RecommendModel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Catalogue items a training did not see (no event in its event set), in the slot the training builds. Their popularity
 * and neighbor list came from an earlier training, over other events and perhaps with another similarity on another scale:
 * carried into the new version they would be scored next to this training's values (a stale cosine list, ~0.3 per history
 * item, among EASE weights of ~0.01 puts its item first for everyone). So the version built has none for them. Their factors
 * are mapped from content when the training fits a content map, and otherwise carried over from the served version (given
 * or trained before): nothing better is known about them. Neighbor lists not trained this time are carried over too.
 */
final class UntrainedItems {

    private static final int READ_PAGE = 5000;

    private UntrainedItems() {}

    /**
     * Without a content map: rewrites the built slot of every untrained item that holds any of the model's fields in either
     * slot, skipping those whose built slot already holds what it should (an item carried over by the training before
     * last, unchanged since). The scan reads ids only: what an item holds is read once, when it is rewritten. Completes with
     * the number of items rewritten.
     */
    static void carryOver(Client client, TrainTask task, RecommendModel model, Set<String> trained, boolean neighborsTrained,
        ActionListener<Long> listener) {
        ModelFields serving = model.serving();
        ModelFields building = model.building();
        BoolQueryBuilder holding = QueryBuilders.boolQuery();
        for (String field : List.of(serving.itemFactors(), serving.popularity(), serving.neighbors(), building.itemFactors(),
            building.popularity(), building.neighbors())) {
            holding.should(QueryBuilders.existsQuery(field));
        }
        SearchSourceBuilder source = new SearchSourceBuilder().query(holding)
            .size(READ_PAGE)
            .sort("_doc", SortOrder.ASC)
            .fetchSource(false);
        List<String> untrained = new ArrayList<>();
        ScrollScan.scan(client, task, new SearchRequest(model.items().index()).source(source), hits -> {
            for (SearchHit hit : hits) {
                if (trained.contains(hit.getId()) == false) {
                    untrained.add(hit.getId());
                }
            }
        }, listener.delegateFailureAndWrap((l, v) -> {
            untrained.sort(null);
            rewrite(client, task, model, untrained, neighborsTrained, null, l);
        }));
    }

    /**
     * Writes the built slot of {@code untrained}: no popularity, no neighbors when this training computed them (the served
     * ones otherwise), and factors {@code factors.apply(row)} when given (null removes them), the served ones otherwise (an
     * item whose built slot already holds those is left as it is). Completes with the number of items rewritten.
     */
    static void rewrite(Client client, TrainTask task, RecommendModel model, List<String> untrained, boolean neighborsTrained,
        IntFunction<float[]> factors, ActionListener<Long> listener) {
        if (untrained.isEmpty()) {
            listener.onResponse(0L);
            return;
        }
        ModelFields building = model.building();
        List<String> replaced = List.of(building.popularity(), building.neighbors(), building.itemFactors());
        boolean carried = factors == null; // carried over from the served slot: often already there
        // every vector the items keep is read and kept (the served ones among them): right for any mapping
        new TrainingWriter(client, task, true).replaceFields(model.items().index(), untrained, replaced, true, carried, (r, current) -> {
            float[] mapped = carried ? null : factors.apply(r);
            Map<String, Object> built = built(model, current, neighborsTrained, mapped, carried == false);
            return carried && holds(current, built) ? null : built;
        }, listener.map(outcome -> {
            if (outcome.failed.get() > 0) {
                throw new IllegalStateException("items outside the training: " + outcome.failed.get()
                    + " could not be updated (first: " + outcome.firstFailure + ")");
            }
            return outcome.written.get();
        }));
    }

    /** What an untrained item's built slot should hold, given the item as read; null values remove the field. */
    private static Map<String, Object> built(RecommendModel model, Map<String, Object> current, boolean neighborsTrained,
        float[] mapped, boolean fromMap) {
        ModelFields serving = model.serving();
        ModelFields building = model.building();
        Map<String, Object> doc = new HashMap<>();
        doc.put(building.popularity(), null);
        doc.put(building.neighbors(), neighborsTrained ? null : XContentMapValues.extractValue(serving.neighbors(), current));
        if (fromMap) {
            doc.put(building.itemFactors(), mapped == null ? null : Vectors.asList(mapped));
        } else {
            doc.put(building.itemFactors(), XContentMapValues.extractValue(serving.itemFactors(), current));
        }
        return doc;
    }

    /** Whether {@code current} already holds every value of {@code wanted} (null: the field absent). */
    private static boolean holds(Map<String, Object> current, Map<String, Object> wanted) {
        for (Map.Entry<String, Object> field : wanted.entrySet()) {
            if (Objects.equals(XContentMapValues.extractValue(field.getKey(), current), field.getValue()) == false) {
                return false;
            }
        }
        return true;
    }
}
