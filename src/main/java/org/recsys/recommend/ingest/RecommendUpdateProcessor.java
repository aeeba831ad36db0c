package org.recsys.recommend.ingest;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.ingest.AbstractProcessor;
import org.elasticsearch.ingest.IngestDocument;
import org.elasticsearch.threadpool.ThreadPool;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.model.ContentMap;
import org.recsys.recommend.model.ModelFields;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.model.UserIds;
import org.recsys.recommend.query.SeenIds;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * {@code recommend_update}: keeps user vectors current as interactions arrive.
 * <ul>
 *   <li>event mode (an events pipeline): each event updates its user's profile (bounded history + exact implicit-ALS
 *   fold-in), then the event is indexed as usual;</li>
 *   <li>profile mode (a users pipeline): a user document that carries a history gets its vector computed on the way in;</li>
 *   <li>item mode (an items pipeline): an item document without factors gets factors from its content, through the
 *   content → factor map {@code _train} learned (cold start); an item with no known word passes unchanged.</li>
 * </ul>
 * Errors name the field and fail only that document, in Elasticsearch's ingest error format ({@code on_failure} applies).
 */
public final class RecommendUpdateProcessor extends AbstractProcessor {

    public static final String TYPE = "recommend_update";

    /** Which documents the processor sees. */
    public enum Mode {
        EVENT,
        PROFILE,
        ITEM
    }

    private final ProcessorConfig config;
    private final ModelRegistry models;
    private final ItemFactorCache factors;
    private final ProfileBatcher batcher;
    private final ContentMapCache contentMaps;

    RecommendUpdateProcessor(String tag, String description, ProcessorConfig config, ModelRegistry models, ItemFactorCache factors,
        ProfileBatcher batcher, ContentMapCache contentMaps) {
        super(tag, description);
        this.config = config;
        this.models = models;
        this.factors = factors;
        this.batcher = batcher;
        this.contentMaps = contentMaps;
    }

    @Override
    public boolean isAsync() {
        return true;
    }

    @Override
    public void execute(IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
        try {
            RecommendModel model = models.getForField("model", config.model());
            if (config.mode() == Mode.EVENT) {
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
            } else if (config.mode() == Mode.PROFILE) {
                computeProfile(model, document, handler);
            } else {
                computeItem(model, document, handler);
            }
        } catch (Exception e) {
            handler.accept(null, e);
        }
    }

    private void computeProfile(RecommendModel model, IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
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

    private void computeItem(RecommendModel model, IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
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

    @Override
    public String getType() {
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
