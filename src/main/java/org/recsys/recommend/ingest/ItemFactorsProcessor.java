package org.recsys.recommend.ingest;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.ingest.IngestDocument;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.model.ContentMap;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.model.RecommendModel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * {@code recommend_update} on an items pipeline (cold start): an item document without factors gets the factors of its
 * content, through the content → factor map the model's last training learned; an item with factors keeps them, and one
 * with no known word passes unchanged.
 */
final class ItemFactorsProcessor extends RecommendUpdateProcessor {

    private final ContentMapCache contentMaps;
    private final ProfileBatcher batcher; // its client reads the content map as the caller

    ItemFactorsProcessor(String tag, String description, ProcessorConfig config, ModelRegistry models, ContentMapCache contentMaps,
        ProfileBatcher batcher) {
        super(tag, description, config, models);
        this.contentMaps = contentMaps;
        this.batcher = batcher;
    }

    @Override
    void apply(RecommendModel model, IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
        String factorsField = model.serving().itemFactors();
        if (document.hasField(factorsField)) {
            handler.accept(document, null); // trained or given factors win over content
            return;
        }
        String configured = model.items().factors();
        if (configured.equals(factorsField) == false && document.hasField(configured)) {
            // factors sent under the configured name while the second slot is served: they are meant to be served
            document.setFieldValue(factorsField, document.getFieldValue(configured, Object.class));
            handler.accept(document, null);
            return;
        }
        contentMaps.get(batcher.client(), model, ActionListener.wrap(map -> {
            Map<String, List<String>> content = new LinkedHashMap<>();
            for (String field : map.fields()) {
                content.put(field, ContentMap.valuesOf(document.hasField(field) ? document.getFieldValue(field, Object.class) : null));
            }
            float[] vector = map.factorsFor(content);
            if (vector != null) {
                if (vector.length != model.factors().dims()) {
                    throw new IllegalArgumentException("the content map of model [" + model.id() + "] gives " + vector.length
                        + " dims but the model expects " + model.factors().dims() + ": run _train again");
                }
                document.setFieldValue(factorsField, Vectors.asList(vector));
            }
            handler.accept(document, null);
        }, e -> handler.accept(null, e)));
    }

}
