package org.recsys.recommend.train;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.admin.indices.refresh.RefreshRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.support.RefCountingListener;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.util.CachedSupplier;
import org.elasticsearch.common.xcontent.support.XContentMapValues;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.fetch.StoredFieldsContext;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.elasticsearch.search.sort.SortOrder;
import org.recsys.recommend.math.Gramian;
import org.recsys.recommend.math.ImplicitAls;
import org.recsys.recommend.math.Interactions;
import org.recsys.recommend.math.EaseNeighbors;
import org.recsys.recommend.math.ItemNeighbors;
import org.recsys.recommend.math.SlimNeighbors;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.model.FullView;
import org.recsys.recommend.model.ModelFields;
import org.recsys.recommend.model.ModelIndices;
import org.recsys.recommend.model.ModelState;
import org.recsys.recommend.model.RecommendModel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * In-cluster training: count and read the events (refusing data that would not fit the heap budget), fit implicit ALS and
 * item neighbors on the bounded training pool, then write item factors, neighbors and popularity and user vectors into the
 * model's other slot ({@link ModelFields}: what is served stays as it is meanwhile), histories in place (they are the events'
 * record, not the model's), and finally the model's Gramian together with the switch to the slot written: a training that
 * fails or is cancelled before that leaves the served model as it was. Each phase shows in the task's status.
 */
public final class Trainer {

    private static final Logger logger = LogManager.getLogger(Trainer.class);

    /** The share of the heap a training may plan to use. */
    static final double HEAP_SHARE = 0.25;
    private static final int READ_PAGE = 5000;

    /** What a training did, for the response; {@code tuning} is null unless the request asked for it. */
    public record Result(long events, long skippedEvents, String eventsReadFrom, int users, int items, long itemsNotInCatalogue,
        int iterations, Map<String, Long> phaseMillis, int contentFeatures, long contentMappedItems, double lambda, double alpha,
        Tuning tuning, long profilesWithNewEvents) {}

    private final Client client;
    private final TrainingMemory memory;
    private final ModelStore modelStore;
    private Map<String, ProfileVersions.Version> profileVersions;
    private final TrainTask task;
    private final RecommendModel model;
    private final ModelFields building; // the slot this training writes, served once its state is stored
    private TrainSpec spec; // replaced once, by the tuned settings, before the fit starts
    private Tuning tuning;
    private boolean lambdaDerived; // λ was derived from the events: the model stores it for fold-in
    private final Executor trainPool;
    private final int parallelism;
    private final Executor generic;
    private final Map<String, Long> phaseMillis = new LinkedHashMap<>();
    private long phaseStart = System.nanoTime();

    public Trainer(Client client, TrainTask task, RecommendModel model, TrainSpec spec, Executor trainPool, int parallelism,
        Executor generic, TrainingMemory memory, ModelStore modelStore) {
        this.memory = memory;
        this.modelStore = modelStore;
        this.client = client;
        this.task = task;
        this.model = model;
        this.building = model.building();
        this.spec = spec;
        this.trainPool = trainPool;
        this.parallelism = parallelism;
        this.generic = generic;
    }

    /**
     * Prepares the items and users indices first ({@link ModelIndices}: a conflicting mapping fails the training before it
     * reads or writes anything) and checks that the caller sees whole items ({@link FullView}), reads the profiles'
     * versions ({@link ProfileVersions}: events acknowledged from now on are not overwritten), then counts and reads the
     * events.
     */
    public void run(ActionListener<Result> done) {
        ActionListener<Result> listener = ActionListener.runAfter(done, memory::release);
        ModelIndices.prepare(client, model, listener.delegateFailureAndWrap((l, prepared) -> checkFullView(l)));
    }

    private void checkFullView(ActionListener<Result> listener) {
        FullView.require(client, model.items().index(), "items.index", "a training rewrites whole item documents",
            listener.delegateFailureAndWrap((l, v) -> readProfileVersions(l)));
    }

    /**
     * Counts the profiles (their versions are held until the profiles are written: refused if they would not fit), reads
     * their versions, then refreshes the events index, so that every event whose profile write is in those versions and
     * that is indexed by now is in the scan that follows (best effort: a caller without the refresh privilege relies on the
     * index's own refresh interval, and an event still in flight between its profile write and its indexing is not read).
     */
    private void readProfileVersions(ActionListener<Result> listener) {
        SearchSourceBuilder countProfiles = new SearchSourceBuilder().size(0).trackTotalHits(true);
        client.search(new SearchRequest(model.users().index()).source(countProfiles), listener.delegateFailureAndWrap((l, counted) -> {
            long profiles = counted.getHits().getTotalHits().value();
            checkBudget("[users] " + profiles + " profiles' versions", profiles * ProfileVersions.BYTES_PER_PROFILE);
            ProfileVersions.read(client, task, model.users().index(), l.delegateFailureAndWrap((l2, versions) -> {
                profileVersions = versions;
                var refresh = new RefreshRequest(spec.eventsIndex());
                client.admin().indices().refresh(refresh, ActionListener.running(() -> count(l2)));
            }));
        }));
    }

    private void count(ActionListener<Result> listener) {
        SearchSourceBuilder count = new SearchSourceBuilder().size(0).trackTotalHits(true).query(query());
        client.search(new SearchRequest(spec.eventsIndex()).source(count), listener.delegateFailureAndWrap((l, response) -> {
            long events = response.getHits().getTotalHits().value();
            // the events as read, and the profile versions held until the profiles are written
            checkBudget("[events] " + events + " events", events * 64L + profileVersions.size() * ProfileVersions.BYTES_PER_PROFILE);
            String[] fields = { spec.userField(), spec.itemField(), spec.weightField() };
            FieldMappings.decide(client, spec.eventsIndex(), fields, mappings -> EventTable.readsDocValues(mappings, spec), false,
                docValues -> read(events, docValues, l));
        }));
    }

    /**
     * Reads the events in pages of a scroll: from doc values when all three fields are mapped plainly in every index (see
     * {@link EventTable#readsDocValues}; no stored field is loaded, no source parsed: the reading phase about halves),
     * otherwise from {@code _source}, which works for any mapping.
     */
    private void read(long expected, boolean docValues, ActionListener<Result> listener) {
        phase("reading", 0, expected, 0, 0, 0);
        EventTable table = new EventTable(spec, docValues);
        String[] fields = { spec.userField(), spec.itemField(), spec.weightField() };
        SearchSourceBuilder source = new SearchSourceBuilder().query(query()).size(READ_PAGE).sort("_doc", SortOrder.ASC);
        if (docValues) {
            source.fetchSource(false).storedField(StoredFieldsContext._NONE_); // not even _id: the block is not decompressed
            for (String field : fields) {
                source.docValueField(field);
            }
        } else {
            source.fetchSource(FetchSourceContext.of(true, null, fields, null));
        }
        ScrollScan.scan(client, task, new SearchRequest(spec.eventsIndex()).source(source), table::add, listener.delegateFailureAndWrap(
            (l, v) -> generic.execute(() -> {
                try {
                    fit(table, l);
                } catch (Exception e) {
                    l.onFailure(e);
                }
            })
        ));
    }

    private void fit(EventTable table, ActionListener<Result> listener) throws InterruptedException {
        int users = table.users().size();
        int items = table.items().size();
        if (table.events() == 0) {
            throw new IllegalArgumentException(
                "[events] index [" + spec.eventsIndex() + "] has no events with a user and an item to train on"
            );
        }
        long factorBytes = (long) (users + items) * spec.factors() * 4 * 2;
        Interactions userItems = table.userItems(); // built once: the tuning, λ and the fit all read it
        if (spec.tune() != null) {
            // checked before the tuning starts, with the factor sets it holds at once (the dense neighbor matrices it checks
            // itself against what is left)
            checkBudget("[tune] over " + users + " users and " + items + " items", factorBytes * Tuner.FACTOR_SETS_HELD / 2);
            tune(table, userItems, factorBytes);
        } else if (spec.lambdaFromData()) {
            spec = spec.withLambda(Tuner.defaultLambda(userItems, spec.alpha(), model.factors().weighted()));
            lambdaDerived = true;
        }
        String similarity = spec.neighbors() > 0 ? spec.neighborSimilarity() : null;
        checkBudget(users + " users and " + items + " items", factorBytes + (long) items * spec.neighbors() * 8);
        if (TrainSpec.EASE.equals(similarity) || TrainSpec.SLIM.equals(similarity)) {
            // dense n × n matrices: the limit is the catalogue, not the events ([neighbors.similarity] cosine has none)
            long dense = TrainSpec.EASE.equals(similarity) ? EaseNeighbors.bytesNeeded(items) : SlimNeighbors.bytesNeeded(items);
            checkBudget("[neighbors.similarity] [" + similarity + "] over " + items + " items", factorBytes + dense);
        }
        phase("als", 0, table.events(), users, items, 0);
        ImplicitAls als = new ImplicitAls(spec.factors(), spec.lambda(), spec.alpha(), spec.cgSteps(), spec.seed(),
            model.factors().weighted());
        ImplicitAls.Factors factors = als.fit(
            userItems,
            spec.iterations(),
            trainPool,
            parallelism,
            task::isCancelled,
            (iteration, nanos) -> task.status(new TrainStatus("als", iteration, spec.iterations(), table.events(), users, items, 0))
        );
        phase("neighbors", spec.iterations(), table.events(), users, items, 0);
        ItemNeighbors.Lists neighbors = similarity == null ? null : switch (similarity) {
            case TrainSpec.EASE -> EaseNeighbors.compute(userItems, spec.neighbors(), spec.neighborLambda(), trainPool, parallelism,
                task::isCancelled);
            case TrainSpec.SLIM -> slim(userItems);
            default -> ItemNeighbors.compute(userItems, spec.neighbors(), trainPool, parallelism, task::isCancelled);
        };
        Interactions itemUsers = userItems.transpose();
        phase("writing", spec.iterations(), table.events(), users, items, 0);
        TrainingWriter writer = new TrainingWriter(client, task, true);
        // the trained factors by item id, for the content map and the refold of changed profiles: built once, when needed
        Supplier<Map<String, float[]>> byId = CachedSupplier.wrap(() -> itemFactors(factors, table));
        int[][] recency = table.itemsByRecency();
        // Items and users go to different indices: write both at once, so both write threads work. The content map needs only
        // the trained factors and the catalogue's text, so it is read and fitted meanwhile; it is stored after the writes.
        TrainingWriter.Outcome[] outcomes = new TrainingWriter.Outcome[2];
        ContentMapTrainer.Fitted[] fitted = new ContentMapTrainer.Fitted[1];
        ActionListener<Void> written = listener.delegateFailureAndWrap((l, v) -> {
            failOnErrors(outcomes[0]);
            failOnErrors(outcomes[1]);
            long documents = outcomes[0].written.get() + outcomes[1].written.get();
            // the last pages refreshed what they touched; this refreshes every shard (best effort: it needs more than write)
            RefreshRequest refresh = new RefreshRequest(model.items().index(), model.users().index());
            client.admin().indices().refresh(refresh, ActionListener.running(() -> contentMap(fitted[0], outcomes[0], table,
                l.delegateFailureAndWrap((ll, contentOutcome) -> {
                    phase("model", spec.iterations(), table.events(), users, items, documents);
                    Map<String, Long> phases = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(phaseMillis));
                    storeGramian(factors, outcomes[0], table, ll.delegateFailureAndWrap((l3, trained) -> movedSinceWritten(outcomes[1],
                        l3.delegateFailureAndWrap((l4, changed) -> {
                        ChangedProfiles refold = new ChangedProfiles(client, task, trained, changed.isEmpty() ? Map.of() : byId.get(),
                            true);
                        refold.refold(changed, l4.map(x -> new Result(table.events(), table.skipped(), table.readFrom(), users, items,
                            outcomes[0].missing.get(), spec.iterations(), phases, contentOutcome.features(),
                            contentOutcome.remapped(), spec.lambda(), spec.alpha(), tuning, changed.size())));
                    }))));
                }))));
        });
        List<String> replaced = List.of(building.itemFactors(), building.popularity(), building.neighbors());
        // The training answers only once all of them are done, also when one fails (with the first failure): answering at
        // the first would leave the others writing after the task is gone (no longer cancellable, overlapping a retry).
        try (RefCountingListener all = new RefCountingListener(written)) {
            ActionListener<TrainingWriter.Outcome> itemsWritten = all.acquire(outcome -> outcomes[0] = outcome);
            FieldMappings.decide(client, model.items().index(), new String[] { "*" },
                mappings -> TrainingWriter.holdsOtherVectors(mappings, replaced), true,
                otherVectors -> writer.replaceFields(model.items().index(), table.items(), replaced, otherVectors, false,
                    (r, current) -> itemDoc(r, current, factors, neighbors, itemUsers, table), itemsWritten));
            writer.writeProfiles(model.users().index(), table.users(), r -> userDoc(r, factors, userItems, recency, table),
                profileVersions, all.acquire(outcome -> outcomes[1] = outcome));
            profileVersions = null; // no longer needed: let it go while the rest runs
            if (spec.content() != null) {
                ContentMapTrainer.readAndFit(client, task, model, spec.content(), byId.get(), generic,
                    all.acquire(f -> fitted[0] = f));
            }
        }
    }

    /**
     * The profiles to fold in again once the new version is served: those that moved before the training wrote them (its
     * write was refused), those that moved after it (the processor folded an event into the version served then, not
     * into the one written for the switch), and those it did not write at all: their versions are read again now and
     * compared with what the writes left.
     */
    private void movedSinceWritten(TrainingWriter.Outcome profiles, ActionListener<List<String>> listener) {
        Set<String> changed = new TreeSet<>(profiles.changed);
        ProfileVersions.read(client, task, model.users().index(), listener.map(now -> {
            now.forEach((user, current) -> {
                ProfileVersions.Version written = profiles.writtenVersions.get(user);
                // moved since written, or never written: a profile the events did not name (a user new since they were
                // read) has no vector in the version now served until it is folded in
                if (written == null || current.equals(written) == false) {
                    changed.add(user);
                }
            });
            return List.copyOf(changed);
        }));
    }

    /**
     * Chooses λ, α, the neighbor family and the blend on a validation split of the events ({@link Tuner}); the training then
     * runs on every event with them, and the model stores them when it is done.
     */
    private void tune(EventTable table, Interactions userItems, long factorBytes) throws InterruptedException {
        long budget = (long) (Runtime.getRuntime().maxMemory() * HEAP_SHARE) - factorBytes * Tuner.FACTOR_SETS_HELD / 2;
        int planned = Tuner.plannedSteps(spec);
        phase("tuning", 0, table.events(), table.users().size(), table.items().size(), 0);
        Tuner tuner = new Tuner(spec, model.factors().weighted(),
            trainPool, parallelism, task::isCancelled, step -> task.status(new TrainStatus("tuning", step,
            planned, table.events(), table.users().size(), table.items().size(), 0)), budget);
        Tuner.Outcome outcome = tuner.run(userItems);
        Tuner.Choice chosen = outcome.chosen();
        // the λs were validated on 80 % of the events: on all of them, the same share of the data's scale
        spec = spec.tuned(chosen.lambdaFor(userItems, model.factors().weighted()), chosen.alpha(), chosen.neighborsK(), chosen.similarity(),
            chosen.neighborLambdaFor(userItems));
        tuning = new Tuning(outcome, Tuner.max(Tuner.popularity(userItems)));
    }

    private ItemNeighbors.Lists slim(Interactions userItems) throws InterruptedException {
        SlimNeighbors.Fit fit = SlimNeighbors.compute(userItems, spec.neighbors(), spec.neighborLambda(), trainPool, parallelism,
            task::isCancelled);
        if (fit.unconvergedColumns() > 0) {
            // not seen for λ > 0 (the solve is well conditioned); the lists are still usable, but not the exact optimum
            logger.warn("training of model [{}]: SLIM neighbors of {} items stopped at the sweep limit short of the tolerance",
                model.id(), fit.unconvergedColumns());
        }
        return fit.lists();
    }

    private Map<String, Object> itemDoc(int r, Map<String, Object> current, ImplicitAls.Factors factors, ItemNeighbors.Lists neighbors,
        Interactions itemUsers, EventTable table) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put(building.itemFactors(), Vectors.asList(factors.items()[r]));
        if (neighbors == null) {
            // no neighbors trained: the served lists carry over to the version built (an older one may be in its field)
            doc.put(building.neighbors(), XContentMapValues.extractValue(model.serving().neighbors(), current));
        } else if (neighbors.neighbors()[r].length > 0) {
            Map<String, Object> sims = new LinkedHashMap<>();
            for (int n = 0; n < neighbors.neighbors()[r].length; n++) {
                sims.put(table.items().get(neighbors.neighbors()[r][n]), neighbors.similarities()[r][n]);
            }
            doc.put(building.neighbors(), sims);
        } else {
            doc.put(building.neighbors(), null); // no neighbors this time: the field goes, old ones must not stay
        }
        doc.put(building.popularity(), itemUsers.indptr()[r + 1] - itemUsers.indptr()[r]);
        return doc;
    }

    private Map<String, Object> userDoc(int r, ImplicitAls.Factors factors, Interactions userItems, int[][] recency, EventTable table) {
        Map<Integer, Float> strength = new LinkedHashMap<>();
        for (int p = userItems.indptr()[r]; p < userItems.indptr()[r + 1]; p++) {
            strength.put(userItems.indices()[p], userItems.values()[p]);
        }
        // the most recent items with a positive weight make the bounded history; everything else the user interacted with
        // (older, or with weight 0, which fold-in cannot use) is excluded as seen, never folded in (an empty set clears an old one)
        int[] ordered = recency[r];
        List<Map<String, Object>> history = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (int n = ordered.length - 1; n >= 0; n--) {
            float weight = strength.get(ordered[n]);
            if (weight > 0 && history.size() < model.users().maxHistory()) {
                Map<String, Object> entry = new LinkedHashMap<>(); // item first, as the processor writes entries
                entry.put("item", table.items().get(ordered[n]));
                entry.put("weight", Math.min(weight, (float) Vectors.MAX_MAGNITUDE)); // as History sums them
                history.add(entry);
            } else {
                seen.add(table.items().get(ordered[n]));
            }
        }
        Collections.reverse(history); // oldest first, as the processor appends
        Collections.reverse(seen);
        return Map.of(building.userFactors(), Vectors.asList(factors.users()[r]), model.users().history(), history,
            model.users().seen(), seen);
    }

    /**
     * Stores the content → factor map fitted during the writes ({@code fitted}; null: none asked) and updates the catalogue
     * items outside the training ({@link UntrainedItems}).
     */
    private void contentMap(ContentMapTrainer.Fitted fitted, TrainingWriter.Outcome items, EventTable table,
        ActionListener<ContentMapTrainer.Outcome> listener) {
        boolean neighborsTrained = spec.neighbors() > 0;
        if (fitted == null || fitted.map() == null) {
            // no map: the items outside the training keep their factors, but lose an earlier training's popularity/neighbors
            int features = spec.content() == null ? -1 : 0;
            Set<String> trained = new HashSet<>();
            for (int r = 0; r < items.writtenRows.length; r++) {
                if (items.writtenRows[r]) {
                    trained.add(table.items().get(r));
                }
            }
            ContentMapTrainer.dropMap(client, model.id(), building.slot(), listener.delegateFailureAndWrap(
                (l, dropped) -> UntrainedItems.carryOver(client, task, model, trained, neighborsTrained,
                    l.map(cleared -> new ContentMapTrainer.Outcome(features, 0)))));
            return;
        }
        phase("content", spec.iterations(), table.events(), table.users().size(), table.items().size(), 0);
        ContentMapTrainer.storeAndRemap(client, task, model, fitted, neighborsTrained, listener);
    }

    private static Map<String, float[]> itemFactors(ImplicitAls.Factors factors, EventTable table) {
        Map<String, float[]> byId = new HashMap<>();
        for (int r = 0; r < factors.items().length; r++) {
            byId.put(table.items().get(r), factors.items()[r]);
        }
        return byId;
    }

    /** Stores the new state (and what a tuning chose) on the model; answers the model as stored. */
    private void storeGramian(ImplicitAls.Factors factors, TrainingWriter.Outcome items, EventTable table,
        ActionListener<RecommendModel> listener) {
        Gramian gramian = new Gramian(spec.factors());
        for (int r = 0; r < factors.items().length; r++) {
            if (items.writtenRows[r]) {
                gramian.add(factors.items()[r]);
            }
        }
        ModelState state = new ModelState(gramian.matrix(), gramian.count(), System.currentTimeMillis(), building.slot());
        // a tuned training also stores what it chose (λ, α for fold-in; the blend for queries naming no signals) with the state
        RecommendModel trained = model;
        if (tuning != null) {
            trained = tuning.applyTo(model, spec);
        } else if (lambdaDerived) {
            trained = model.withTuning(model.factors().withLambda(spec.lambda(), spec.alpha(), true), model.signals());
        }
        RecommendModel stored = trained.withState(state);
        modelStore.store(stored, model.servingSlot(), tuning != null || lambdaDerived, listener.map(ack -> {
            phase("done", spec.iterations(), 0, 0, 0, 0);
            return stored;
        }));
    }

    private static void failOnErrors(TrainingWriter.Outcome outcome) {
        if (outcome.failed.get() > 0) {
            throw new IllegalStateException(
                "training wrote partially: " + outcome.failed.get() + " documents failed (first: " + outcome.firstFailure + "), "
                    + outcome.written.get() + " were written beside the served model, which is unchanged. Fix the cause and run _train "
                    + "again"
            );
        }
    }

    private void checkBudget(String what, long bytes) {
        long budget = (long) (Runtime.getRuntime().maxMemory() * HEAP_SHARE);
        if (bytes > budget) {
            throw new IllegalArgumentException(
                "training on " + what + " needs about " + (bytes >> 20) + " MB of heap, more than the " + (budget >> 20)
                    + " MB (25% of the heap) a training may use: use Spark for this data, or a larger heap"
            );
        }
        memory.reserveAtLeast(bytes);
    }

    private void phase(String name, int iteration, long events, long users, long items, long written) {
        long now = System.nanoTime();
        TrainStatus previous = task.trainStatus();
        if (previous.phase().equals("starting") == false) {
            phaseMillis.put(previous.phase(), (now - phaseStart) / 1_000_000);
        }
        phaseStart = now;
        task.status(new TrainStatus(name, iteration, spec.iterations(), events, users, items, written));
    }

    private org.elasticsearch.index.query.QueryBuilder query() {
        return spec.query() == null ? QueryBuilders.matchAllQuery() : spec.query();
    }
}
