package org.recsys.recommend.ingest;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.ingest.IngestDocument;
import org.elasticsearch.threadpool.ThreadPool;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.model.UserIds;

import java.time.Instant;
import java.util.function.BiConsumer;

/**
 * {@code recommend_update} on an events pipeline: each event is folded into its user's profile (bounded history, exact
 * implicit-ALS fold-in) through the node's {@link ProfileBatcher} before it is acknowledged; the event itself is then
 * indexed as usual.
 */
final class EventUpdateProcessor extends RecommendUpdateProcessor {

    private final ProfileBatcher batcher;

    EventUpdateProcessor(String tag, String description, ProcessorConfig config, ModelRegistry models, ProfileBatcher batcher) {
        super(tag, description, config, models);
        this.batcher = batcher;
    }

    @Override
    void apply(RecommendModel model, IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
        ProfileEvent event = readEvent(document);
        if (isSimulation()) {
            handler.accept(document, null); // validated, not applied: a simulation writes nothing
            return;
        }
        batcher.apply(model, event, config.maxRetries(), config.itemNudge(), ActionListener.wrap(version -> {
            if (config.versionField() != null && version >= 0) { // a duplicate event changed no profile: no version
                document.setFieldValue(config.versionField(), version);
            }
            handler.accept(document, null);
        }, e -> handler.accept(null, e)));
    }

    /**
     * Whether this runs inside {@code _ingest/pipeline/_simulate}, which Elasticsearch executes on its {@code management}
     * pool, where real indexing never runs pipelines. The processor has no other way to tell (the simulated document looks
     * like a real one), and a simulation must not write profiles.
     */
    private static boolean isSimulation() {
        return ThreadPool.Names.MANAGEMENT.equals(EsExecutors.executorName(Thread.currentThread()));
    }

    private ProfileEvent readEvent(IngestDocument document) {
        String user = requiredString(document, config.userField());
        String problem = UserIds.problem(user);
        if (problem != null) {
            throw new IllegalArgumentException("[" + config.userField() + "] " + problem);
        }
        String item = requiredString(document, config.itemField());
        double weight = weightOf(document);
        String ts = document.hasField(config.timestampField())
            ? String.valueOf(document.getFieldValue(config.timestampField(), Object.class))
            : Instant.now().toString();
        // an id names the event within its index, and one profile takes events for several models: the key holds all three
        String id = document.getMetadata().getId();
        String eventKey = id == null ? null : config.model() + "/" + document.getMetadata().getIndex() + "/" + id;
        return new ProfileEvent(user, item, weight, ts, eventKey);
    }

    private double weightOf(IngestDocument document) {
        if (document.hasField(config.weightField())) {
            Object value = document.getFieldValue(config.weightField(), Object.class);
            double weight = value instanceof Number n ? n.doubleValue() : Double.NaN;
            if (Vectors.positiveAndBounded(weight) == false) {
                throw new IllegalArgumentException("[" + config.weightField() + "] must be a number > 0 and at most "
                    + (long) Vectors.MAX_MAGNITUDE + ", got [" + value + "]");
            }
            return weight;
        }
        if (document.hasField(config.actionField())) {
            String action = String.valueOf(document.getFieldValue(config.actionField(), Object.class));
            Double weight = config.actionWeights().get(action);
            if (weight == null) {
                throw new IllegalArgumentException(
                    "[" + config.actionField() + "] [" + action + "] has no weight; known actions: " + config.actionWeights().keySet()
                );
            }
            return weight;
        }
        return 1.0;
    }

    private static String requiredString(IngestDocument document, String field) {
        if (document.hasField(field) == false) {
            throw new IllegalArgumentException("[" + field + "] is missing from the event");
        }
        Object value = document.getFieldValue(field, Object.class);
        if (value instanceof String s && s.isEmpty() == false) {
            return s;
        }
        throw new IllegalArgumentException("[" + field + "] must be a non-empty string, got [" + value + "]");
    }

}
