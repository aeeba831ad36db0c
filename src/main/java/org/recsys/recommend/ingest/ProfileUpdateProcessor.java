package org.recsys.recommend.ingest;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.ingest.IngestDocument;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.model.ModelFields;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.query.SeenIds;

import java.util.List;
import java.util.function.BiConsumer;

/**
 * {@code recommend_update} on a users pipeline: a user document that carries a history gets, on the way in, the history
 * normalized and bounded (what the bound drops joins its seen set) and the vector folded in from it.
 */
final class ProfileUpdateProcessor extends RecommendUpdateProcessor {

    private final ItemFactorCache factors;
    private final ProfileBatcher batcher;

    ProfileUpdateProcessor(String tag, String description, ProcessorConfig config, ModelRegistry models, ItemFactorCache factors,
        ProfileBatcher batcher) {
        super(tag, description, config, models);
        this.factors = factors;
        this.batcher = batcher;
    }

    @Override
    void apply(RecommendModel model, IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
        String historyField = model.users().history();
        Object raw = document.hasField(historyField) ? document.getFieldValue(historyField, Object.class) : null;
        History full = History.fromSource(historyField, raw);
        History history = full.bounded(model.users().maxHistory());
        // what the bound drops joins the document's seen set, so exclusion still knows every item it names
        String seenField = model.users().seen();
        List<String> seen = SeenIds.fromSource(seenField, document.hasField(seenField)
            ? document.getFieldValue(seenField, Object.class) : null);
        List<String> nextSeen = SeenItems.update(seen, full, history, List.of());
        ModelFields serving = model.serving();
        factors.get(batcher.client(), model.items().index(), serving.itemFactors(), history.items(), ActionListener.wrap(found -> {
            float[] vector = ModelFoldIn.vectorFor(model, history, found, factors);
            if (nextSeen != null) {
                document.setFieldValue(seenField, nextSeen);
            }
            document.setFieldValue(historyField, history.toSource());
            document.setFieldValue(serving.userFactors(), Vectors.asList(vector));
            handler.accept(document, null);
        }, e -> handler.accept(null, e)));
    }

}
