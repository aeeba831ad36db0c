package org.recsys.recommend.train;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.admin.indices.refresh.RefreshRequest;
import org.elasticsearch.action.get.GetRequest;
import org.elasticsearch.action.get.MultiGetItemResponse;
import org.elasticsearch.action.get.MultiGetRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.client.internal.Client;
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
import org.recsys.recommend.math.Vectors;
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
 * checks the run is complete and fits the model, then writes it as {@link Trainer} writes its own: items' trained fields
 * replaced in the model's other slot, profiles conditionally on their version, the Gramian of the items written and the
 * switch in one model update. An import that fails before the switch leaves the served model as it was.
 * <p>
 * Events the run did not read: a stored history that holds an item the staged history lacks, or more weight on one, took
 * events through the processor that the job did not read (after its cut-off, or late). Such a profile keeps its history
 * and seen set and gets a vector folded in from them, as does every profile the run does not cover (a user new since the
 * cut-off) — before the switch, so that the new version serves them; a profile that moves again is folded in again after
 * the switch.
 */
public final class ModelImport {

    private static final Logger logger = LogManager.getLogger(ModelImport.class);

    /** What an import did, for the response. */
    public record Result(String runId, long events, Instant eventsCutoff, String trainedBy, long items, long itemsNotInCatalogue,
        long users, long profilesWithNewEvents, long profilesNotRefolded, double lambda, double alpha, Map<String, Long> phaseMillis) {}

    static final String ITEM = "item";
    static final String USER = "user";
    private static final int PAGE = 2000;

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
    private long manifestSeqNo; // the manifest's version: a run staged again while it is imported is refused before the switch
    private long manifestTerm;
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
        readRun(client, model, spec, listener.delegateFailureAndWrap((l, manifest) -> {
            run = manifest.run();
            manifestSeqNo = manifest.seqNo();
            manifestTerm = manifest.primaryTerm();
            // held: the item factors (the Gramian, the refold), and the versions of the profiles written and of every profile
            long bytes = run.items() * (model.factors().dims() * 4L + 96) + run.users() * 2 * ProfileVersions.BYTES_PER_PROFILE;
            long budget = (long) (Runtime.getRuntime().maxMemory() * Trainer.HEAP_SHARE);
            if (bytes > budget) {
                throw new IllegalArgumentException("importing run [" + spec.runId() + "] holds the factors of " + run.items()
                    + " items and the versions of " + run.users() + " profiles, about " + (bytes >> 20) + " MB, more than the "
                    + (budget >> 20) + " MB (25% of the heap) it may use");
            }
            memory.reserveAtLeast(bytes);
            countStaged(ITEM, run.items(), l.delegateFailureAndWrap((l2, v) -> countStaged(USER, run.users(),
                l2.delegateFailureAndWrap((l3, v2) -> probeProfiles(l3)))));
        }));
    }

    /** A run's manifest as read, with its version. */
    public record Manifest(StagedRun run, long seqNo, long primaryTerm) {}

    /**
     * Reads run {@code spec}'s manifest and checks it fits {@code model} (its dims and regularization): what a request that
     * only validates checks too, so that {@code wait_for_completion=false} answers these refusals, not a task id.
     */
    public static void readRun(Client client, RecommendModel model, ImportSpec spec, ActionListener<Manifest> listener) {
        GetRequest get = new GetRequest(spec.stagingIndex(), ImportSpec.documentId(spec.runId(), StagedRun.KIND, null)).realtime(true);
        client.get(get, listener.delegateFailureAndWrap((l, found) -> {
            if (found.isExists() == false) {
                throw new IllegalArgumentException("[run_id] [" + spec.runId() + "] has no manifest in [" + spec.stagingIndex()
                    + "]: the job that stages it writes it last, so it has not finished (or another run id was meant); run it again");
            }
            if (found.getSourceAsMap() == null) {
                throw new IllegalArgumentException("[staging_index] [" + spec.stagingIndex() + "] keeps no _source for the manifest of "
                    + "run [" + spec.runId() + "]: the import reads the staged documents from it");
            }
            StagedRun staged = StagedRun.parse(spec.runId(), found.getSourceAsMap());
            if (staged.dims() != model.factors().dims()) {
                throw new IllegalArgumentException("[manifest.dims] of run [" + spec.runId() + "] is [" + staged.dims() + "] but model ["
                    + model.id() + "] has [factors.dims] [" + model.factors().dims() + "]");
            }
            if (staged.weighted() != model.factors().weighted()) {
                throw new IllegalArgumentException("[manifest.regularization] of run [" + spec.runId() + "] is ["
                    + regularization(staged.weighted()) + "] but model [" + model.id() + "] uses [" + regularization(model.factors()
                    .weighted()) + "]: fold-in must regularize as the training did; PUT the model with [factors.regularization] ["
                    + regularization(staged.weighted()) + "] first");
            }
            l.onResponse(new Manifest(staged, found.getSeqNo(), found.getPrimaryTerm()));
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

    /**
     * The profiles are read (their histories, their versions) before they are written: a caller who may not read the users
     * index is refused here, with Elasticsearch's own error, before any item is written.
     */
    private void probeProfiles(ActionListener<Result> listener) {
        SearchSourceBuilder none = new SearchSourceBuilder().size(0).trackTotalHits(false);
        client.search(new SearchRequest(model.users().index()).source(none), listener.delegateFailureAndWrap((l, r) -> validateStaged(l)));
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
                requireDocumentId(hit, ITEM, StagedItem.parse(spec.runId(), source(hit), dims).id());
            }
        }, listener.delegateFailureAndWrap((l, items) -> ScrollScan.scan(client, task, scanOf(USER), hits -> {
            for (SearchHit hit : hits) {
                String id = StagedUser.parse(spec.runId(), source(hit), dims, model.users().history(), model.users().maxHistory()).id();
                requireDocumentId(hit, USER, id);
            }
        }, l.delegateFailureAndWrap((l2, users) -> writeItems(l2)))));
    }

    /** A staged document's source; none (a staging index that does not keep it) is the run's defect, named. */
    private Map<String, Object> source(SearchHit hit) {
        Map<String, Object> source = hit.getSourceAsMap();
        if (source == null) {
            throw new IllegalArgumentException("[staging_index] [" + spec.stagingIndex() + "] keeps no _source for [" + hit.getId()
                + "]: the import reads the staged documents from it");
        }
        return source;
    }

    /**
     * Each item and user is staged once, under the id the job gives it: two documents for one item would be written twice
     * and counted twice in the Gramian.
     */
    private void requireDocumentId(SearchHit hit, String kind, String id) {
        String expected = ImportSpec.documentId(spec.runId(), kind, id);
        if (expected.equals(hit.getId()) == false) {
            throw new IllegalArgumentException("[staging] " + kind + " [" + id + "] of run [" + spec.runId() + "] is in document ["
                + hit.getId() + "], not [" + expected + "]: each is staged once, under that id");
        }
    }

    /**
     * Writes the staged items into the model's other slot, page by page as they are read (whole documents rewritten: see
     * {@link TrainingWriter#replaceFields}); items not in the catalogue are counted, not created.
     */
    private void writeItems(ActionListener<Result> listener) {
        phase("items", run.items(), 0);
        gramian = new Gramian(model.factors().dims());
        TrainingWriter writer = new TrainingWriter(client, task, false);
        List<String> replaced = List.of(building.itemFactors(), building.popularity(), building.neighbors());
        FieldMappings.decide(client, model.items().index(), new String[] { "*" },
            mappings -> TrainingWriter.holdsOtherVectors(mappings, replaced), true,
            otherVectors -> ScrollScan.scanAsync(client, task, scanOf(ITEM), (hits, next) -> {
                List<StagedItem> page = new ArrayList<>(hits.length);
                for (SearchHit hit : hits) {
                    page.add(StagedItem.parse(spec.runId(), source(hit), model.factors().dims()));
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
            }, listener.delegateFailureAndWrap((l, v) -> {
                if (writtenItems.isEmpty()) {
                    // no factor of this run would be served: its user vectors would meet the old version's item factors
                    throw new IllegalArgumentException("none of the " + run.items() + " items of run [" + spec.runId() + "] is in ["
                        + model.items().index() + "] (ids are matched exactly): nothing was switched and no profile written");
                }
                writeUsers(l);
            })));
    }

    private Map<String, Object> itemDoc(StagedItem item, Map<String, Object> current) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put(building.itemFactors(), Vectors.asList(item.factors()));
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
        TrainingWriter writer = new TrainingWriter(client, task, false);
        String history = model.users().history();
        FetchSourceContext historyOnly = FetchSourceContext.of(true, null, new String[] { history }, null);
        ScrollScan.scanAsync(client, task, scanOf(USER), (hits, next) -> {
            Map<String, StagedUser> page = new LinkedHashMap<>();
            for (SearchHit hit : hits) {
                StagedUser user = StagedUser.parse(spec.runId(), source(hit), model.factors().dims(), history,
                    model.users().maxHistory());
                page.put(user.id(), user);
            }
            MultiGetRequest read = new MultiGetRequest().realtime(true);
            page.keySet().forEach(id -> read.add(new MultiGetRequest.Item(model.users().index(), id).fetchSourceContext(historyOnly)));
            client.multiGet(read, next.delegateFailureAndWrap((l, current) -> {
                Map<String, ProfileVersions.Version> versions = new HashMap<>();
                for (MultiGetItemResponse item : current.getResponses()) {
                    if (item.isFailed()) {
                        throw item.getFailure().getFailure(); // as it failed: a 403 stays a 403
                    }
                    if (item.getResponse().isExists()) {
                        Map<String, Object> source = item.getResponse().getSourceAsMap();
                        if (holdsUnreadEvents(history, source == null ? null : source.get(history), page.get(item.getId()).history())) {
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

    /**
     * Whether a stored history holds events the staged one does not: an item it lacks, or more weight on one (a weight only
     * grows with events). Such a profile took events through the processor that the job did not read. A history that cannot
     * be read counts as holding some (it is kept as it is, as its events would keep it).
     */
    static boolean holdsUnreadEvents(String historyField, Object storedHistory, History staged) {
        History stored;
        try {
            stored = History.fromStored(historyField, storedHistory);
        } catch (IllegalArgumentException e) {
            return true;
        }
        Map<String, Double> stagedWeights = new HashMap<>();
        staged.entries().forEach(entry -> stagedWeights.put(entry.item(), entry.weight()));
        for (History.Entry entry : stored.entries()) {
            Double weight = stagedWeights.get(entry.item());
            // staged weights went through float: a relative tolerance keeps equal sums equal
            if (weight == null || entry.weight() > weight * (1 + 1e-5) + 1e-9) {
                return true;
            }
        }
        return false;
    }

    /**
     * Before the switch: folds in, against the run's item factors and Gramian, every profile the import did not write (those
     * holding events the run did not read, and those the run does not cover, such as users new since the cut-off), into the
     * slot being built, so that the new version serves them too.
     */
    private void switchToRun(ActionListener<Result> listener) {
        phase("refold", run.items(), usersWritten.get());
        RecommendModel built = builtModel();
        refreshThen(model.users().index(), () -> ProfileVersions.read(client, task, model.users().index(),
            listener.delegateFailureAndWrap((l, all) -> {
                Set<String> toRefold = new TreeSet<>(changed);
                all.keySet().stream().filter(user -> writtenVersions.containsKey(user) == false).forEach(toRefold::add);
                ChangedProfiles before = new ChangedProfiles(client, task, built, writtenItems, false);
                before.refold(List.copyOf(toRefold), l.delegateFailureAndWrap((l2, v) -> {
                    writtenVersions.putAll(before.writtenVersions);
                    Set<String> notRefolded = new TreeSet<>(toRefold);
                    notRefolded.removeAll(before.writtenVersions.keySet());
                    store(built, toRefold.size(), notRefolded, l2);
                }));
            })));
    }

    /** The model as the run makes it: its λ and α, the Gramian of the items written, served from the slot written. */
    private RecommendModel builtModel() {
        ModelState state = new ModelState(gramian.matrix(), gramian.count(), System.currentTimeMillis(), building.slot());
        FactorsConfig factors = model.factors().withLambda(run.lambda(), run.alpha(), model.factors().lambdaAuto());
        return model.withTuning(factors, model.signals()).withState(state);
    }

    /**
     * Checks the run was not staged again meanwhile, drops the built slot's content map and rewrites the catalogue items the
     * run did not cover (as {@code _train} does: see {@link UntrainedItems}), then stores the state and the switch in one
     * model update.
     */
    private void store(RecommendModel built, long refolded, Set<String> notRefolded, ActionListener<Result> listener) {
        phase("model", run.items(), usersWritten.get());
        GetRequest get = new GetRequest(spec.stagingIndex(), ImportSpec.documentId(spec.runId(), StagedRun.KIND, null)).realtime(true);
        client.get(get, listener.delegateFailureAndWrap((l, manifest) -> {
            if (manifest.isExists() == false || manifest.getSeqNo() != manifestSeqNo || manifest.getPrimaryTerm() != manifestTerm) {
                throw new ElasticsearchStatusException("run [" + spec.runId() + "] was staged again while it was imported: nothing was "
                    + "switched; import it again once the job is done", RestStatus.CONFLICT);
            }
            refreshThen(model.items().index(), () -> ContentMapTrainer.dropMap(client, model.id(), building.slot(),
                l.delegateFailureAndWrap((l2, dropped) -> UntrainedItems.carryOver(client, task, model, new HashSet<>(
                    writtenItems.keySet()), run.neighbors(), l2.delegateFailureAndWrap((l3, carried) -> modelStore.store(built,
                        model.servingSlot(), true, l3.delegateFailureAndWrap((l4, ack) -> afterSwitch(built, refolded,
                            notRefolded, l4))))))));
        }));
    }

    /**
     * After the switch: folds in again the profiles that moved since the import wrote them (an event the processor folded
     * into the version served then), and those the refold before the switch could not write. The new version is served by
     * now, so nothing here fails the import: what is left is counted in the answer ({@code profiles_not_refolded}), and those
     * profiles' next events fold them in.
     */
    private void afterSwitch(RecommendModel stored, long refolded, Set<String> notRefolded, ActionListener<Result> listener) {
        phase("refold_moved", run.items(), usersWritten.get());
        Set<String> again = new TreeSet<>(notRefolded);
        ActionListener<Void> answer = ActionListener.wrap(v -> listener.onResponse(result(refolded, 0)), e -> {
            logger.warn(() -> "import of run [" + spec.runId() + "] into model [" + model.id() + "]: switched, but " + again.size()
                + " profiles were not folded in again", e);
            listener.onResponse(result(refolded, again.size()));
        });
        refreshThen(model.users().index(), () -> ProfileVersions.read(client, task, model.users().index(),
            answer.delegateFailureAndWrap((l, now) -> {
                writtenVersions.forEach((user, written) -> {
                    ProfileVersions.Version current = now.get(user);
                    if (current != null && current.equals(written) == false) {
                        again.add(user);
                    }
                });
                ChangedProfiles after = new ChangedProfiles(client, task, stored, writtenItems, true);
                after.refold(List.copyOf(again), l);
            })));
    }

    private Result result(long refolded, long notRefolded) {
        phase("done", run.items(), usersWritten.get());
        return new Result(run.runId(), run.events(), run.eventsCutoff(), run.trainedBy(), writtenItems.size(), itemsNotInCatalogue.get(),
            usersWritten.get(), refolded, notRefolded, run.lambda(), run.alpha(), Collections.unmodifiableMap(new LinkedHashMap<>(
                phaseMillis)));
    }

    /** Refreshes {@code index} (best effort: a caller without the privilege relies on the index's refresh), then runs. */
    private void refreshThen(String index, Runnable then) {
        client.admin().indices().refresh(new RefreshRequest(index), ActionListener.running(then));
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
