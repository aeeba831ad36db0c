package org.recsys.recommend.ingest;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.bulk.BulkItemResponse;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.action.get.GetResponse;
import org.elasticsearch.action.get.MultiGetItemResponse;
import org.elasticsearch.action.get.MultiGetRequest;
import org.elasticsearch.action.update.UpdateRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.recsys.recommend.math.ItemNudge;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.model.RecommendModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The optional item nudges of a group commit ({@code item_nudge}), after its profiles are written. */
final class ItemNudges {

    /** One pending SGD step on an item: the user's new vector, the confidence c and the learning rate. */
    private record Step(float[] x, double c, double rate) {}

    private ItemNudges() {}

    /**
     * The optional SGD step ({@code item_nudge}) on the items of the events whose profiles were written, with the users'
     * new vectors; written before those events are acknowledged, so an acknowledged event's nudge is visible. Each item is
     * read now (real time) and written back with {@code if_seq_no}, so a step starts from the stored vector and never
     * overwrites a newer one (another nudge, a training): an item changed in between keeps its value and that nudge is
     * dropped. Best effort: a failed nudge never fails the event. Several events on one item in a batch step in order.
     */
    static void apply(Client client, RecommendModel model, BulkResponse response, List<String> written,
        Map<String, List<ProfileBatcher.Pending>> applied, Map<String, float[]> vectors, Runnable then) {
        Map<String, List<Step>> steps = new LinkedHashMap<>();
        BulkItemResponse[] items = response.getItems();
        for (int i = 0; i < items.length; i++) {
            if (items[i].isFailed()) {
                continue;
            }
            float[] x = vectors.get(written.get(i));
            for (ProfileBatcher.Pending p : applied.get(written.get(i))) {
                if (p.itemNudge() > 0) {
                    double c = 1 + model.factors().alpha() * p.event().weight();
                    steps.computeIfAbsent(p.event().item(), item -> new ArrayList<>()).add(new Step(x, c, p.itemNudge()));
                }
            }
        }
        if (steps.isEmpty()) {
            then.run();
            return;
        }
        String field = model.serving().itemFactors();
        MultiGetRequest read = new MultiGetRequest().realtime(true);
        steps.keySet().forEach(item -> read.add(new MultiGetRequest.Item(model.items().index(), item)
            .fetchSourceContext(FetchSourceContext.of(true, false, new String[] { field }, null))));
        client.multiGet(read, ActionListener.wrap(current -> {
            BulkRequest bulk = new BulkRequest();
            for (MultiGetItemResponse item : current.getResponses()) {
                if (item.isFailed() || item.getResponse().isExists() == false) {
                    continue;
                }
                GetResponse stored = item.getResponse();
                Map<String, Object> source = stored.getSourceAsMap();
                float[] y = ItemFactorCache.toVector(source == null ? null : source.get(field));
                if (y == null) {
                    continue;
                }
                for (Step step : steps.get(item.getId())) {
                    y = ItemNudge.step(y, step.x(), step.c(), step.rate());
                }
                bulk.add(new UpdateRequest(model.items().index(), item.getId()).doc(Map.of(field, Vectors.asList(y)))
                    .setIfSeqNo(stored.getSeqNo()).setIfPrimaryTerm(stored.getPrimaryTerm()));
            }
            if (bulk.numberOfActions() == 0) {
                then.run();
            } else {
                client.bulk(bulk, ActionListener.running(then));
            }
        }, e -> then.run()));
    }

}
