package org.recsys.recommend.train;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.TaskCancelledException;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.recsys.recommend.math.RankingMetrics;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.query.RecommendQueryBuilder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Scores every test user through the real {@code recommend} query (what users get, not a shortcut) for each named
 * configuration, and averages the ranking metrics of protocol P1 over users with held-out items.
 */
public final class Evaluator {

    /** How many searches run at once. */
    static final int IN_FLIGHT = 4;

    /** One configuration's metrics. */
    public record ConfigResult(RankingMetrics metrics, int failedUsers, String firstFailure) {}

    private final Client client;
    private final CancellableTask task;
    private final RecommendModel model;
    private final Function<String, RecommendModel> models;
    private final int k;

    public Evaluator(Client client, CancellableTask task, RecommendModel model, Function<String, RecommendModel> models, int k) {
        this.client = client;
        this.task = task;
        this.model = model;
        this.models = models;
        this.k = k;
    }

    /** Evaluates each config in turn over {@code heldOut} (user → held-out items). */
    public void run(Map<String, Set<String>> heldOut, Map<String, Map<String, Object>> configs,
        ActionListener<Map<String, ConfigResult>> listener) {
        // each config is parsed once first, as for a user of the model: a config that cannot be a recommend query is a 400
        // naming it, before any user is scored (it used to fail once per test user)
        for (Map.Entry<String, Map<String, Object>> config : configs.entrySet()) {
            try {
                query(config.getValue(), "validation");
            } catch (IOException | RuntimeException e) {
                listener.onFailure(new IllegalArgumentException("[configs." + config.getKey() + "] " + e.getMessage(), e));
                return;
            }
        }
        List<String> users = new ArrayList<>(heldOut.keySet());
        users.sort(null);
        Map<String, ConfigResult> results = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(configs.keySet());
        runConfig(names, 0, users, heldOut, configs, results, listener);
    }

    private void runConfig(List<String> names, int at, List<String> users, Map<String, Set<String>> heldOut,
        Map<String, Map<String, Object>> configs, Map<String, ConfigResult> results, ActionListener<Map<String, ConfigResult>> listener) {
        if (at == names.size()) {
            listener.onResponse(results);
            return;
        }
        String name = names.get(at);
        RankingMetrics metrics = new RankingMetrics(k);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger finishedWorkers = new AtomicInteger();
        String[] firstFailure = new String[1];
        int workers = Math.min(IN_FLIGHT, Math.max(1, users.size()));
        Runnable whenDone = () -> {
            if (finishedWorkers.incrementAndGet() == workers) {
                if (task.isCancelled()) {
                    listener.onFailure(new TaskCancelledException("cancelled: " + task.getReasonCancelled()));
                    return;
                }
                results.put(name, new ConfigResult(metrics, failed.get(), firstFailure[0]));
                runConfig(names, at + 1, users, heldOut, configs, results, listener);
            }
        };
        for (int w = 0; w < workers; w++) {
            nextUser(configs.get(name), users, heldOut, metrics, next, failed, firstFailure, whenDone, listener);
        }
    }

    private void nextUser(Map<String, Object> config, List<String> users, Map<String, Set<String>> heldOut, RankingMetrics metrics,
        AtomicInteger next, AtomicInteger failed, String[] firstFailure, Runnable whenDone, ActionListener<?> listener) {
        String user;
        SearchSourceBuilder source;
        while (true) { // a user whose query cannot be built is counted here, not by recursing (one frame per user)
            int i = next.getAndIncrement();
            if (i >= users.size()) {
                whenDone.run();
                return;
            }
            if (task.isCancelled()) {
                whenDone.run(); // the last worker to stop reports the cancellation, once
                return;
            }
            user = users.get(i);
            try {
                source = new SearchSourceBuilder().query(query(config, user)).size(k)
                    .fetchSource(FetchSourceContext.DO_NOT_FETCH_SOURCE);
                break;
            } catch (IOException | RuntimeException e) {
                recordFailure(failed, firstFailure, user, e);
            }
        }
        String scored = user;
        client.search(new SearchRequest(model.items().index()).source(source), ActionListener.wrap(response -> {
            List<String> ranking = new ArrayList<>();
            for (SearchHit hit : response.getHits().getHits()) {
                ranking.add(hit.getId());
            }
            synchronized (metrics) {
                metrics.add(ranking, heldOut.get(scored));
            }
            nextUser(config, users, heldOut, metrics, next, failed, firstFailure, whenDone, listener);
        }, e -> {
            recordFailure(failed, firstFailure, scored, e);
            nextUser(config, users, heldOut, metrics, next, failed, firstFailure, whenDone, listener);
        }));
    }

    private static void recordFailure(AtomicInteger failed, String[] firstFailure, String user, Exception e) {
        failed.incrementAndGet();
        synchronized (firstFailure) {
            if (firstFailure[0] == null) {
                firstFailure[0] = "user [" + user + "]: " + e.getMessage();
            }
        }
    }

    /** The config's recommend query for one user of this model, parsed like any query so it is validated the same way. */
    private RecommendQueryBuilder query(Map<String, Object> config, String user) throws IOException {
        Map<String, Object> body = new HashMap<>(config);
        body.put("model", model.id());
        body.put("user", user);
        BytesReference json = BytesReference.bytes(JsonXContent.contentBuilder().map(body));
        try (XContentParser parser = JsonXContent.jsonXContent.createParser(XContentParserConfiguration.EMPTY, json.streamInput())) {
            return RecommendQueryBuilder.fromXContent(parser, models);
        }
    }
}
