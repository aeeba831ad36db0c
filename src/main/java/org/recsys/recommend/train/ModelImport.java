package org.recsys.recommend.train;

import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.admin.indices.refresh.RefreshRequest;
import org.elasticsearch.action.get.GetRequest;
import org.elasticsearch.action.get.MultiGetItemResponse;
import org.elasticsearch.action.get.MultiGetRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.time.DateFormatter;
import org.elasticsearch.common.time.DateFormatters;
import org.elasticsearch.common.xcontent.support.XContentMapValues;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.elasticsearch.search.sort.SortOrder;
import org.recsys.recommend.ingest.History;
import org.recsys.recommend.math.Gramian;
import org.recsys.recommend.model.FactorsConfig;
import org.recsys.recommend.model.FullView;
import org.recsys.recommend.model.ModelFields;
import org.recsys.recommend.model.ModelIndices;
import org.recsys.recommend.model.ModelState;
import org.recsys.recommend.model.RecommendModel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes over a model version trained outside the cluster: the Spark job (docs/spark.md) stages item factors, neighbor
 * lists, popularity and user profiles of one run in a staging index, then its manifest ({@link StagedRun}). The import
 * checks the run is complete and fits the model, then writes it exactly as {@link Trainer} writes its own: items' trained
 * fields replaced in the model's other slot, profiles conditionally on their version, the Gramian of the items written and
 * the switch in one model update. An import that fails before the switch leaves the served model as it was.
 * <p>
 * Events after the run's cut-off: a profile whose history holds an event later than the cut-off took it through the
 * processor after the job read the events. It keeps its history (which holds that event) and gets a vector folded in from
 * it once the new version is served, as do profiles that take events while the import runs ({@link ChangedProfiles}).
 */
public final class ModelImport {

    /** What an import did, for the response. */
    public record Result(String runId, long events, Instant eventsCutoff, String trainedBy, long items, long itemsNotInCatalogue,
        long users, long profilesWithNewEvents, double lambda, double alpha, Map<String, Long> phaseMillis) {}

    static final String ITEM = "item";
    static final String USER = "user";
    private static final int PAGE = 2000;
    // event timestamps as the processor keeps them in histories: ISO dates (any offset) or epoch milliseconds
    private static final DateFormatter EVENT_TIME = DateFormatter.forPattern("strict_date_optional_time||epoch_millis");

    private final Client client;
    private final TrainTask task;
    private final RecommendModel model;
    private final ModelFields building;
    private final ImportSpec spec;
    private final TrainingMemory memory;
    private final ModelStore modelStore;
    private final Map<String, Long> phaseMillis = new LinkedHashMap<>();
    private long phaseStart = System.nanoTime();
    private String phase = "starting";

    private StagedRun run;
    private Gramian gramian;
    // the items written, with their factors: the Gramian is theirs, and refolded profiles are solved against them
    private final Map<String, float[]> writtenItems = new HashMap<>();
    private final AtomicLong itemsNotInCatalogue = new AtomicLong();
    private final AtomicLong usersWritten = new AtomicLong();
    private final Set<String> changed = Collections.synchronizedSet(new TreeSet<>());
    private final Map<String, ProfileVersions.Version> writtenVersions = new ConcurrentHashMap<>();

    public ModelImport(Client client, TrainTask task, RecommendModel model, ImportSpec spec, TrainingMemory memory,
        ModelStore modelStore) {
        this.client = client;
        this.task = task;
        this.model = model;
        this.building = model.building();
        this.spec = spec;
        this.memory = memory;
        this.modelStore = modelStore;
    }

    /**
     * Prepares the items and users indices (a conflicting mapping fails before anything is written), checks that the caller
     * sees whole items, then reads and checks the run's manifest and counts its documents.
     */
    public void run(ActionListener<Result> done) {
        ActionListener<Result> listener = ActionListener.runAfter(done, memory::release);
        ModelIndices.prepare(client, model, listener.delegateFailureAndWrap((l, prepared) -> FullView.require(client,
            model.items().index(), "items.index", "an import rewrites whole item documents",
            l.delegateFailureAndWrap((l2, v) -> readManifest(l2)))));
    }

    private void readManifest(ActionListener<Result> listener) {
        phase("manifest", 0, 0);
        GetRequest get = new GetRequest(spec.stagingIndex(), ImportSpec.documentId(spec.runId(), StagedRun.KIND, null)).realtime(true);
        client.get(get, listener.delegateFailureAndWrap((l, found) -> {
            if (found.isExists() == false) {
                throw new IllegalArgumentException("[run_id] [" + spec.runId() + "] has no manifest in [" + spec.stagingIndex()
                    + "]: the job that stages it writes it last, so it has not finished (or another run id was meant); run it again");
            }
            run = StagedRun.parse(spec.runId(), found.getSourceAsBytesRef(), org.elasticsearch.xcontent.XContentType.JSON);
            if (run.dims() != model.factors().dims()) {
                throw new IllegalArgumentException("[manifest.dims] of run [" + spec.runId() + "] is [" + run.dims() + "] but model ["
                    + model.id() + "] has [factors.dims] [" + model.factors().dims() + "]");
            }
            if (run.weighted() != model.factors().weighted()) {
                throw new IllegalArgumentException("[manifest.regularization] of run [" + spec.runId() + "] is ["
                    + regularization(run.weighted()) + "] but model [" + model.id() + "] uses [" + regularization(model.factors()
                    .weighted()) + "]: fold-in must regularize as the training did; PUT the model with [factors.regularization] ["
                    + regularization(run.weighted()) + "] first");
            }
            // the item factors are held for the Gramian and the refold of changed profiles
            long bytes = run.items() * (model.factors().dims() * 4L + 96);
            long budget = (long) (Runtime.getRuntime().maxMemory() * Trainer.HEAP_SHARE);
            if (bytes > budget) {
                throw new IllegalArgumentException("importing run [" + spec.runId() + "] holds the factors of " + run.items()
                    + " items, about " + (bytes >> 20) + " MB, more than the " + (budget >> 20) + " MB (25% of the heap) it may use");
            }
            memory.reserveAtLeast(bytes);
            countStaged(ITEM, run.items(), l.delegateFailureAndWrap((l2, v) -> countStaged(USER, run.users(),
                l2.delegateFailureAndWrap((l3, v2) -> validateStaged(l3)))));
        }));
    }

    /** A run whose index holds fewer (or more) documents of a kind than its manifest counts is refused: it is not the run. */
    private void countStaged(String kind, long expected, ActionListener<Void> listener) {
        SearchSourceBuilder count = new SearchSourceBuilder().size(0).trackTotalHits(true).query(staged(kind));
        client.search(new SearchRequest(spec.stagingIndex()).source(count), listener.delegateFailureAndWrap((l, response) -> {
            long found = response.getHits().getTotalHits().value();
            if (found != expected) {
                throw new ElasticsearchStatusException("run [" + spec.runId() + "] is incomplete in [" + spec.stagingIndex()
                    + "]: its manifest counts " + expected + " " + kind + " documents, the index holds " + found + " (a job still "
                    + "writing, or documents deleted): nothing was imported; run the job again with the same run id",
                    RestStatus.CONFLICT);
            }
            l.onResponse(null);
        }));
    }

    private QueryBuilder staged(String kind) {
        return QueryBuilders.boolQuery().filter(QueryBuilders.termQuery("run_id", spec.runId())).filter(QueryBuilders.termQuery("kind",
            kind));
    }

    private SearchRequest scanOf(String kind) {
        SearchSourceBuilder source = new SearchSourceBuilder().query(staged(kind)).size(PAGE).sort("_doc", SortOrder.ASC);
        return new SearchRequest(spec.stagingIndex()).source(source);
    }

    /**
     * Reads every staged document once before anything is written: a malformed one (a vector of the wrong length, a
     * negative similarity, a bad user id) fails the import with a 400 naming it, and no history was overwritten by then.
     */
    private void validateStaged(ActionListener<Result> listener) {
        phase("validating", 0, 0);
        int dims = model.factors().dims();
        ScrollScan.scan(client, task, scanOf(ITEM), hits -> {
            for (SearchHit hit : hits) {
                StagedItem.parse(spec.runId(), hit.getSourceAsMap(), dims);
            }
        }, listener.delegateFailureAndWrap((l, items) -> ScrollScan.scan(client, task, scanOf(USER), hits -> {
            for (SearchHit hit : hits) {
                StagedUser.parse(spec.runId(), hit.getSourceAsMap(), dims, model.users().history(), model.users().maxHistory());
            }
        }, l.delegateFailureAndWrap((l2, users) -> writeItems(l2)))));
    }

    /**
     * Writes the staged items into the model's other slot, page by page as they are read (whole documents rewritten: see
     * {@link TrainingWriter#replaceFields}); items not in the catalogue are counted, not created.
     */
    private void writeItems(ActionListener<Result> listener) {
        phase("items", run.items(), 0);
        gramian = new Gramian(model.factors().dims());
        TrainingWriter writer = new TrainingWriter(client, task);
        List<String> replaced = List.of(building.itemFactors(), building.popularity(), building.neighbors());
        FieldMappings.decide(client, model.items().index(), new String[] { "*" },
            mappings -> TrainingWriter.holdsOtherVectors(mappings, replaced), true,
            otherVectors -> ScrollScan.scanAsync(client, task, scanOf(ITEM), (hits, next) -> {
                List<StagedItem> page = new ArrayList<>(hits.length);
                for (SearchHit hit : hits) {
                    page.add(StagedItem.parse(spec.runId(), hit.getSourceAsMap(), model.factors().dims()));
                }
                List<String> ids = page.stream().map(StagedItem::id).toList();
                writer.replaceFields(model.items().index(), ids, replaced, otherVectors, false, (r, current) -> itemDoc(page.get(r),
                    current), next.delegateFailureAndWrap((l, outcome) -> {
                        failOnErrors(outcome);
                        itemsNotInCatalogue.addAndGet(outcome.missing.get());
                        for (int r = 0; r < page.size(); r++) {
                            if (outcome.writtenRows[r]) {
                                gramian.add(page.get(r).factors());
                                writtenItems.put(page.get(r).id(), page.get(r).factors());
                            }
                        }
                        task.status(new TrainStatus("items", 0, 0, run.events(), run.users(), run.items(), writtenItems.size()));
                        l.onResponse(null);
                    }));
            }, listener.delegateFailureAndWrap((l, v) -> writeUsers(l))));
    }

    private Map<String, Object> itemDoc(StagedItem item, Map<String, Object> current) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put(building.itemFactors(), org.recsys.recommend.math.Vectors.asList(item.factors()));
        if (run.neighbors() == false) {
            // the run trained no neighbors: the served lists carry over to the version built, as in _train
            doc.put(building.neighbors(), XContentMapValues.extractValue(model.serving().neighbors(), current));
        } else {
            doc.put(building.neighbors(), item.neighbors().isEmpty() ? null : item.neighbors()); // old lists must not stay
        }
        doc.put(building.popularity(), item.popularity());
        return doc;
    }

    /**
     * Writes the staged profiles page by page: each page's current profiles are read first (their history and version), a
     * profile holding an event after the cut-off is left for the refold, and the others are written conditionally on the
     * version read (a profile that moves meanwhile is refolded instead).
     */
    private void writeUsers(ActionListener<Result> listener) {
        phase("users", run.items(), 0);
        TrainingWriter writer = new TrainingWriter(client, task);
        String history = model.users().history();
        FetchSourceContext historyOnly = FetchSourceContext.of(true, null, new String[] { history }, null);
        ScrollScan.scanAsync(client, task, scanOf(USER), (hits, next) -> {
            Map<String, StagedUser> page = new LinkedHashMap<>();
            for (SearchHit hit : hits) {
                StagedUser user = StagedUser.parse(spec.runId(), hit.getSourceAsMap(), model.factors().dims(), history,
                    model.users().maxHistory());
                page.put(user.id(), user);
            }
            MultiGetRequest read = new MultiGetRequest().realtime(true);
            page.keySet().forEach(id -> read.add(new MultiGetRequest.Item(model.users().index(), id).fetchSourceContext(historyOnly)));
            client.multiGet(read, next.delegateFailureAndWrap((l, current) -> {
                Map<String, ProfileVersions.Version> versions = new HashMap<>();
                for (MultiGetItemResponse item : current.getResponses()) {
                    if (item.isFailed()) {
                        throw new IllegalStateException("[" + model.users().index() + "/" + item.getId() + "] " + item.getFailure()
                            .getMessage());
                    }
                    if (item.getResponse().isExists()) {
                        Map<String, Object> source = item.getResponse().getSourceAsMap();
                        if (tookLaterEvents(source == null ? null : source.get(history))) {
                            changed.add(item.getId());
                            page.remove(item.getId());
                        } else {
                            versions.put(item.getId(), new ProfileVersions.Version(item.getResponse().getSeqNo(), item.getResponse()
                                .getPrimaryTerm()));
                        }
                    }
                }
                List<String> ids = List.copyOf(page.keySet());
                if (ids.isEmpty()) {
                    l.onResponse(null);
                    return;
                }
                writer.writeProfiles(model.users().index(), ids, r -> page.get(ids.get(r)).document(building.userFactors(), history,
                    model.users().seen()), versions, l.delegateFailureAndWrap((ll, outcome) -> {
                        failOnErrors(outcome);
                        usersWritten.addAndGet(outcome.written.get());
                        changed.addAll(outcome.changed);
                        writtenVersions.putAll(outcome.writtenVersions);
                        task.status(new TrainStatus("users", 0, 0, run.events(), run.users(), run.items(), usersWritten.get()));
                        ll.onResponse(null);
                    }));
            }));
        }, listener.delegateFailureAndWrap((l, v) -> switchToRun(l)));
    }

    /** Whether a stored history holds an event later than the run's cut-off (one whose time cannot be read counts as later). */
    boolean tookLaterEvents(Object storedHistory) {
        History stored;
        try {
            stored = History.fromStored(model.users().history(), storedHistory);
        } catch (IllegalArgumentException e) {
            return true; // unreadable: keep it as it is, as its events would
        }
        for (History.Entry entry : stored.entries()) {
            if (entry.ts() != null && laterThan(entry.ts(), run.eventsCutoff())) {
                return true;
            }
        }
        return false;
    }

    static boolean laterThan(String eventTime, Instant cutoff) {
        try {
            return DateFormatters.from(EVENT_TIME.parse(eventTime)).toInstant().isAfter(cutoff);
        } catch (RuntimeException e) {
            return true;
        }
    }

    /**
     * Refreshes what was written, drops the built slot's content map and rewrites the catalogue items the run did not cover
     * (as {@code _train} does: see {@link UntrainedItems}), then stores the Gramian, the run's λ and α and the switch in one
     * update, and finally refolds the profiles that took events the run did not read.
     */
    private void switchToRun(ActionListener<Result> listener) {
        phase("model", run.items(), usersWritten.get());
        RefreshRequest refresh = new RefreshRequest(model.items().index(), model.users().index());
        client.admin().indices().refresh(refresh, ActionListener.running(() -> ContentMapTrainer.dropMap(client, model.id(),
            building.slot(), listener.delegateFailureAndWrap((l, dropped) -> UntrainedItems.carryOver(client, task, model,
                new HashSet<>(writtenItems.keySet()), run.neighbors(), l.delegateFailureAndWrap((l2, carried) -> store(l2)))))));
    }

    private void store(ActionListener<Result> listener) {
        ModelState state = new ModelState(gramian.matrix(), gramian.count(), System.currentTimeMillis(), building.slot());
        FactorsConfig factors = model.factors().withLambda(run.lambda(), run.alpha(), model.factors().lambdaAuto());
        RecommendModel stored = model.withTuning(factors, model.signals()).withState(state);
        modelStore.store(stored, model.servingSlot(), true, listener.delegateFailureAndWrap((l, ack) -> {
            phase("refold", run.items(), usersWritten.get());
            movedSinceWritten(l.delegateFailureAndWrap((l2, moved) -> {
                ChangedProfiles refold = new ChangedProfiles(client, task, stored, moved.isEmpty() ? Map.of() : writtenItems);
                refold.refold(moved, l2.map(v -> {
                    phase("done", run.items(), usersWritten.get());
                    return new Result(run.runId(), run.events(), run.eventsCutoff(), run.trainedBy(), writtenItems.size(),
                        itemsNotInCatalogue.get(), usersWritten.get(), moved.size(), run.lambda(), run.alpha(),
                        Collections.unmodifiableMap(new LinkedHashMap<>(phaseMillis)));
                }));
            }));
        }));
    }

    /** The profiles to refold: those left for it, and those whose version moved after the import wrote them. */
    private void movedSinceWritten(ActionListener<List<String>> listener) {
        Set<String> moved = new TreeSet<>(changed);
        ProfileVersions.read(client, task, model.users().index(), listener.map(now -> {
            writtenVersions.forEach((user, written) -> {
                ProfileVersions.Version current = now.get(user);
                if (current != null && current.equals(written) == false) {
                    moved.add(user);
                }
            });
            return List.copyOf(moved);
        }));
    }

    private static void failOnErrors(TrainingWriter.Outcome outcome) {
        if (outcome.failed.get() > 0) {
            throw new IllegalStateException("import wrote partially: " + outcome.failed.get() + " documents failed (first: "
                + outcome.firstFailure + "); the served model is unchanged. Fix the cause and run _import again");
        }
    }

    private static String regularization(boolean weighted) {
        return weighted ? FactorsConfig.WEIGHTED : FactorsConfig.CONSTANT;
    }

    private void phase(String next, long items, long written) {
        long now = System.nanoTime();
        if (phase.equals("starting") == false) {
            phaseMillis.put(phase, (now - phaseStart) / 1_000_000);
        }
        phase = next;
        phaseStart = now;
        task.status(new TrainStatus(next, 0, 0, run == null ? 0 : run.events(), run == null ? 0 : run.users(), items, written));
    }
}
