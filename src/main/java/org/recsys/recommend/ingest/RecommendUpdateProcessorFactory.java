package org.recsys.recommend.ingest;

import org.elasticsearch.cluster.metadata.ProjectId;
import org.elasticsearch.ingest.ConfigurationUtils;
import org.elasticsearch.ingest.Processor;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.math.Vectors;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Builds {@code recommend_update} processors from pipeline definitions:
 *
 * <pre>
 * { "recommend_update": { "model": "movies", "mode": "event", "action_weights": { "view": 1, "purchase": 5 } } }
 * </pre>
 *
 * The model itself is looked up per document, so a pipeline may be created before its model.
 */
public final class RecommendUpdateProcessorFactory implements Processor.Factory {

    static final int DEFAULT_MAX_RETRIES = 100;

    private final ModelRegistry models;
    private final ItemFactorCache factors;
    private final ProfileBatcher batcher;
    private final ContentMapCache contentMaps = new ContentMapCache();

    public RecommendUpdateProcessorFactory(ModelRegistry models, ItemFactorCache factors, ProfileBatcher batcher) {
        this.models = models;
        this.factors = factors;
        this.batcher = batcher;
    }

    @Override
    public Processor create(
        Map<String, Processor.Factory> registry,
        String tag,
        String description,
        Map<String, Object> config,
        ProjectId projectId
    ) {
        String type = RecommendUpdateProcessor.TYPE;
        String model = ConfigurationUtils.readStringProperty(type, tag, config, "model");
        String modeName = ConfigurationUtils.readStringProperty(type, tag, config, "mode", "event");
        RecommendUpdateProcessor.Mode mode;
        try {
            mode = RecommendUpdateProcessor.Mode.valueOf(modeName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String problem = "must be [event], [profile] or [item], got [" + modeName + "]";
            throw ConfigurationUtils.newConfigurationException(type, tag, "mode", problem);
        }
        Map<String, Object> rawWeights = ConfigurationUtils.readOptionalMap(type, tag, config, "action_weights");
        Map<String, Double> actionWeights = new LinkedHashMap<>();
        if (rawWeights != null) {
            for (Map.Entry<String, Object> e : rawWeights.entrySet()) {
                double w = e.getValue() instanceof Number n ? n.doubleValue() : Double.NaN;
                if (Vectors.positiveAndBounded(w) == false) {
                    throw ConfigurationUtils.newConfigurationException(
                        type,
                        tag,
                        "action_weights",
                        "weight of [" + e.getKey() + "] must be a number > 0 and at most " + (long) Vectors.MAX_MAGNITUDE + ", got ["
                            + e.getValue() + "]"
                    );
                }
                actionWeights.put(e.getKey(), w);
            }
        }
        Integer maxRetries = ConfigurationUtils.readIntProperty(type, tag, config, "max_retries", DEFAULT_MAX_RETRIES);
        if (maxRetries == null || maxRetries < 0) {
            throw ConfigurationUtils.newConfigurationException(type, tag, "max_retries", "must be >= 0");
        }
        RecommendUpdateProcessor.ProcessorConfig processorConfig = new RecommendUpdateProcessor.ProcessorConfig(
            model,
            mode,
            ConfigurationUtils.readStringProperty(type, tag, config, "user_field", "user"),
            ConfigurationUtils.readStringProperty(type, tag, config, "item_field", "item"),
            ConfigurationUtils.readStringProperty(type, tag, config, "weight_field", "weight"),
            ConfigurationUtils.readStringProperty(type, tag, config, "action_field", "action"),
            Map.copyOf(actionWeights),
            ConfigurationUtils.readStringProperty(type, tag, config, "timestamp_field", "@timestamp"),
            ConfigurationUtils.readOptionalStringProperty(type, tag, config, "version_field"),
            maxRetries,
            itemNudge(type, tag, config)
        );
        return switch (mode) {
            case EVENT -> new EventUpdateProcessor(tag, description, processorConfig, models, batcher);
            case PROFILE -> new ProfileUpdateProcessor(tag, description, processorConfig, models, factors, batcher);
            case ITEM -> new ItemFactorsProcessor(tag, description, processorConfig, models, contentMaps, batcher);
        };
    }

    /** The optional SGD step on the event's item: a learning rate in (0, 1], off (0) unless set. */
    private static double itemNudge(String type, String tag, Map<String, Object> config) {
        if (config.containsKey("item_nudge") == false) {
            return 0;
        }
        Object raw = config.get("item_nudge");
        double rate = raw instanceof Number n ? n.doubleValue() : Double.NaN;
        config.remove("item_nudge");
        if (Double.isFinite(rate) == false || rate <= 0 || rate > 1) {
            String problem = "must be a learning rate in (0, 1], got [" + raw + "]";
            throw ConfigurationUtils.newConfigurationException(type, tag, "item_nudge", problem);
        }
        return rate;
    }
}
