package org.recsys.recommend.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.HandledTransportAction;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.client.internal.ParentTaskAssigningClient;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.util.concurrent.AtomicArray;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.common.util.concurrent.ThrottledIterator;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.transport.TransportService;
import org.recsys.recommend.stats.RecommendStats;

import java.util.List;
import java.util.stream.IntStream;

/**
 * {@code indices:data/read/recommend}: index privileges on the target indices govern it as they govern {@code _search};
 * every lookup and search it makes runs as the caller, as a child of this task.
 */
public class TransportRecommendAction extends HandledTransportAction<RecommendRequest, RecommendResponse> {

    public static final String NAME = "indices:data/read/recommend";
    public static final ActionType<RecommendResponse> TYPE = new ActionType<>(NAME);
    /** The most entries one batch may hold; a longer list is a 400, as an unbounded one would hold a node's searches. */
    public static final int MAX_BATCH = 100;
    /** How many entries of a batch run at once (each is itself a few searches): like {@code _msearch}'s concurrency bound. */
    static final int BATCH_CONCURRENCY = 4;

    private final Client client;
    private final RecommendStats stats;
    private final ClusterService clusterService;

    @Inject
    public TransportRecommendAction(
        TransportService transportService,
        ActionFilters filters,
        Client client,
        ClusterService clusterService,
        RecommendStats stats
    ) {
        super(NAME, transportService, filters, RecommendRequest::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.stats = stats;
        this.client = client;
        this.clusterService = clusterService;
    }

    @Override
    protected void doExecute(Task task, RecommendRequest request, ActionListener<RecommendResponse> listener) {
        long start = System.nanoTime();
        Client taskClient = new ParentTaskAssigningClient(client, clusterService.localNode(), task);
        List<RecommendSpec> specs = request.specs();
        AtomicArray<RecommendResponse.Entry> entries = new AtomicArray<>(specs.size());
        // at most BATCH_CONCURRENCY entries run at once; the response goes once every entry is answered
        ThrottledIterator.run(IntStream.range(0, specs.size()).iterator(), (releasable, slot) -> {
            RecommendRunner runner = new RecommendRunner(taskClient, request.indices(), request.indicesOptions(), specs.get(slot));
            long entryStart = System.nanoTime();
            runner.run(ActionListener.releaseAfter(ActionListener.wrap(entry -> {
                stats.recommendEntry(false, System.nanoTime() - entryStart);
                entries.set(slot, entry);
            }, e -> {
                stats.recommendEntry(true, System.nanoTime() - entryStart);
                entries.set(slot, RecommendResponse.Entry.failed(e));
            }), releasable));
        }, BATCH_CONCURRENCY, () -> finish(request, entries.asList(), start, listener));
    }

    /** A single request reports its failure as the response's error; a batch reports each entry's, like _msearch. */
    private static void finish(
        RecommendRequest request,
        List<RecommendResponse.Entry> entries,
        long start,
        ActionListener<RecommendResponse> l
    ) {
        if (request.batch() == false && entries.get(0).failure() != null) {
            l.onFailure(entries.get(0).failure());
            return;
        }
        l.onResponse(new RecommendResponse(entries, request.batch(), (System.nanoTime() - start) / 1_000_000));
    }
}
