package org.recsys.recommend.ingest;

import org.elasticsearch.ingest.AbstractProcessor;
import org.elasticsearch.ingest.IngestDocument;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.model.RecommendModel;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * {@code recommend_update}: keeps a model's documents current as they arrive, one class per mode (the pipeline's
 * {@code mode} picks it, see {@link RecommendUpdateProcessorFactory}):
 * <ul>
 *   <li>{@link EventUpdateProcessor} (an events pipeline): each event updates its user's profile (bounded history + exact
 *   implicit-ALS fold-in), then the event is indexed as usual;</li>
 *   <li>{@link ProfileUpdateProcessor} (a users pipeline): a user document that carries a history gets its vector on the
 *   way in;</li>
 *   <li>{@link ItemFactorsProcessor} (an items pipeline): an item document without factors gets factors from its content,
 *   through the content → factor map {@code _train} learned (cold start).</li>
 * </ul>
 * The model is looked up per document, so a pipeline may be created before its model. Errors name the field and fail only
 * that document, in Elasticsearch's ingest error format ({@code on_failure} applies).
 */
public abstract class RecommendUpdateProcessor extends AbstractProcessor {

    public static final String TYPE = "recommend_update";

    /** Which documents the processor sees. */
    public enum Mode {
        EVENT,
        PROFILE,
        ITEM
    }

    final ProcessorConfig config;
    private final ModelRegistry models;

    RecommendUpdateProcessor(String tag, String description, ProcessorConfig config, ModelRegistry models) {
        super(tag, description);
        this.config = config;
        this.models = models;
    }

    @Override
    public final boolean isAsync() {
        return true;
    }

    @Override
    public final void execute(IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
        try {
            apply(models.getForField("model", config.model()), document, handler);
        } catch (Exception e) {
            handler.accept(null, e);
        }
    }

    /** Updates {@code document} (or what it names) for {@code model}; calls {@code handler} exactly once. */
    abstract void apply(RecommendModel model, IngestDocument document, BiConsumer<IngestDocument, Exception> handler);

    @Override
    public final String getType() {
        return TYPE;
    }

    /** The processor's settings, validated when the pipeline is created. */
    record ProcessorConfig(
        String model,
        Mode mode,
        String userField,
        String itemField,
        String weightField,
        String actionField,
        Map<String, Double> actionWeights,
        String timestampField,
        String versionField,
        int maxRetries,
        double itemNudge
    ) {}
}
