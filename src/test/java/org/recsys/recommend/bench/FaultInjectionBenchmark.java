package org.recsys.recommend.bench;

import com.fasterxml.jackson.databind.JsonNode;

import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * Faults against a real three-node cluster while events stream in through {@code recommend_update}; counts, per scenario,
 * the events acknowledged, lost (acknowledged but missing from the profile) and double-counted (an item whose weight in
 * the profile is more than the one event sent for it). Senders behave as clients should: every event has its own id, sent
 * with {@code _create}; a failed attempt is retried (on another node when the first is down) until it is acknowledged, or
 * answered with a 409 after a retry (the first attempt was stored), or three attempts failed.
 *
 * <pre>
 * ./run test   (once, to build target/releases and target/distribution), then
 * java -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" \
 *   -Drecommend.test.distribution=target/distribution/elasticsearch-9.5.4.zip \
 *   -Drecommend.test.plugin=target/releases/recommend-0.1.0.zip \
 *   org.recsys.recommend.bench.FaultInjectionBenchmark
 * </pre>
 */
public final class FaultInjectionBenchmark {

    private static final int DIMS = 8;
    private static final int ITEMS = 2000;
    private static final int USERS = 40;

    private final RealCluster cluster;
    private final List<String> report = new ArrayList<>();

    private FaultInjectionBenchmark(RealCluster cluster) {
        this.cluster = cluster;
    }

    /** {@code --profile-cache=off}: every node runs with {@code recommend.ingest.profile_cache.size: 0}. */
    public static void main(String[] args) throws Exception {
        NodeSpec spec = NodeSpec.insecure();
        if (List.of(args).contains("--profile-cache=off")) {
            spec = spec.withSettings(Map.of("recommend.ingest.profile_cache.size", "0"));
        } else if (args.length > 0) {
            throw new IllegalArgumentException("unknown arguments " + List.of(args) + "; the only one is --profile-cache=off");
        }
        try (RealCluster cluster = RealCluster.start(3, spec)) {
            FaultInjectionBenchmark bench = new FaultInjectionBenchmark(cluster);
            bench.setUp();
            bench.killDataNodeDuringIngest();
            bench.killCoordinatingNodeDuringIngest();
            bench.twoNodesSameUsers();
            bench.trainingWhileEventsStream();
            bench.killDataNodeDuringQueries();
            bench.killTrainingNode("als");
            bench.killTrainingNode("writing");
            bench.killMasterDuringModelPut();
            bench.rollingRestartUnderIngest();
            System.out.println();
            System.out.println("| scenario | events sent | acknowledged | lost | double-counted | other checks |");
            System.out.println("|---|---|---|---|---|---|");
            bench.report.forEach(System.out::println);
        }
    }

    private void setUp() {
        JsonHttp http = cluster.http(0);
        ok(http.put("/fi_items", "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":2},\"mappings\":{\"properties\":{"
            + "\"factors\":{\"type\":\"dense_vector\",\"dims\":" + DIMS + ",\"similarity\":\"max_inner_product\"}}}}"));
        Random random = new Random(7);
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            bulk.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"factors\":[");
            for (int d = 0; d < DIMS; d++) {
                bulk.append(d == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", random.nextGaussian() * 0.3));
            }
            bulk.append("]}\n");
        }
        ok(http.postNdjson("/fi_items/_bulk?refresh=true", bulk.toString()));
        // profiles and events with one replica, never on node 0 (the senders' usual coordinator): a killed node is a data node
        String offNode0 = "{\"number_of_shards\":2,\"number_of_replicas\":1,\"index.routing.allocation.exclude._name\":\"node-0\"}";
        ok(http.put("/fi_users", "{\"settings\":" + offNode0 + "}"));
        ok(http.put("/fi_events", "{\"settings\":" + offNode0 + "}"));
        ok(http.put("/_recommend/model/fi", "{\"items\":{\"index\":\"fi_items\"},\"users\":{\"index\":\"fi_users\",\"max_history\":1000},"
            + "\"factors\":{\"dims\":" + DIMS + ",\"lambda\":0.1,\"alpha\":10}}"));
        ok(http.post("/_recommend/model/fi/_refresh", null));
        ok(http.put("/_ingest/pipeline/fi", "{\"processors\":[{\"recommend_update\":{\"model\":\"fi\"}}]}"));
        ok(http.get("/_cluster/health?wait_for_status=green&timeout=120s"));
    }

    /** Sends events, each (user, item) once, with a fault injected by {@code fault} after {@code faultAt} events. */
    private final class Stream {
        final String name;
        final String idPrefix;
        final Map<String, Map<String, Integer>> acked = new ConcurrentHashMap<>();
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger retries = new AtomicInteger();
        final AtomicInteger unacknowledged = new AtomicInteger();
        private final int firstItem;

        Stream(String name, int firstItem) {
            this.name = name;
            this.idPrefix = "s" + firstItem + "-";
            this.firstItem = firstItem;
        }

        void send(int events, int senders, IntUnaryOperator coordinatorOf, int faultAt, Runnable fault) throws InterruptedException {
            AtomicInteger counter = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int sender = s;
                Thread thread = new Thread(() -> {
                    int n;
                    while ((n = counter.getAndIncrement()) < events) {
                        if (n == faultAt && fault != null) {
                            fault.run();
                        }
                        // (user, item) from n alone: one pair per n, and streams (offsets apart by less than USERS, with
                        // ITEMS a multiple of USERS) never share a pair, so a weight above the count sent is a double count
                        String user = "u" + (n % USERS);
                        String item = "i" + ((firstItem + n) % ITEMS);
                        sendOne(user, item, coordinatorOf.applyAsInt(sender));
                    }
                }, name + "-sender-" + s);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }

        private void sendOne(String user, String item, int node) {
            String id = idPrefix + sent.incrementAndGet(); // unique in the stream, across its rounds
            String body = "{\"user\":\"" + user + "\",\"item\":\"" + item + "\"}";
            for (int attempt = 0; attempt < 3; attempt++) {
                int target = (node + attempt) % cluster.size();
                if (cluster.node(target).isAlive() == false) {
                    target = (target + 1) % cluster.size();
                }
                try {
                    JsonHttp.Response r = cluster.http(target).put("/fi_events/_create/" + id + "?pipeline=fi&timeout=30s", body);
                    if (r.status() == 201 || (r.status() == 409 && attempt > 0)) { // 409 on a retry: the first attempt was stored
                        acked.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).merge(item, 1, Integer::sum);
                        return;
                    }
                } catch (UncheckedIOException e) {
                    // connection refused or reset: the node is down; try another
                }
                retries.incrementAndGet();
                sleep(200);
            }
            unacknowledged.incrementAndGet();
        }

        /** Reads every profile and reports the scenario's row. */
        void verify(String otherChecks) {
            JsonHttp http = cluster.http(0);
            ok(http.get("/_cluster/health?wait_for_status=green&timeout=120s"));
            int lost = 0;
            int doubled = 0;
            int ackedCount = 0;
            for (Map.Entry<String, Map<String, Integer>> user : acked.entrySet()) {
                Map<String, Double> history = history(http, user.getKey());
                for (Map.Entry<String, Integer> item : user.getValue().entrySet()) {
                    ackedCount += item.getValue();
                    Double weight = history.get(item.getKey());
                    if (weight == null) {
                        lost++;
                    } else if (weight > item.getValue() + 1e-9) {
                        doubled++;
                    }
                }
            }
            String row = String.format(Locale.ROOT, "| %s | %d | %d (%d retries, %d never acknowledged) | **%d** | **%d** | %s |", name,
                sent.get(), ackedCount, retries.get(), unacknowledged.get(), lost, doubled, otherChecks);
            System.out.println(row);
            report.add(row);
        }
    }

    private int itemOffset = 0;

    private Stream stream(String name) {
        Stream stream = new Stream(name, itemOffset);
        itemOffset += 1; // each scenario's pairs start elsewhere
        return stream;
    }

    private void killDataNodeDuringIngest() throws Exception {
        int victim = primaryNodeOf("fi_users");
        Stream stream = stream("kill -9 of the node holding a profiles primary, during ingest");
        stream.send(600, 2, s -> 0, 200, () -> cluster.node(victim).kill());
        cluster.startAgain(victim);
        stream.verify("node-" + victim + " killed after 200 events, started again");
    }

    private void killCoordinatingNodeDuringIngest() throws Exception {
        Stream stream = stream("kill -9 of a coordinating (ingest) node, during ingest");
        stream.send(600, 2, s -> 1 + s, 200, () -> cluster.node(2).kill());
        cluster.startAgain(2);
        stream.verify("node-2 coordinated half the events, killed after 200");
    }

    private void twoNodesSameUsers() throws Exception {
        long conflictsBefore = indexFailed();
        Stream stream = stream("two ingest nodes, the same users at once");
        stream.send(800, 4, s -> s % 2, -1, null);
        stream.verify("version conflicts on profiles: " + (indexFailed() - conflictsBefore));
    }

    private void trainingWhileEventsStream() throws Exception {
        JsonHttp http = cluster.http(1);
        // the training reads the events index: what was sent so far, under its own ids
        ok(http.post("/fi_events/_refresh", null));
        String task = ok(http.post("/_recommend/model/fi/_train?wait_for_completion=false",
            "{\"events\":{\"index\":\"fi_events\"},\"als\":{\"factors\":" + DIMS + ",\"iterations\":200}}")).at("/task").asText();
        Stream stream = stream("a training while events stream in");
        stream.send(600, 2, s -> 0, -1, null);
        JsonHttp.Response done = ok(http.get("/_tasks/" + task + "?wait_for_completion=true&timeout=300s"));
        String trained = done.at("/error").isMissingNode()
            ? "training done, " + done.at("/response/profiles_with_new_events").asInt() + " profiles took events during it"
            : "training failed: " + done.at("/error/reason").asText();
        stream.verify(trained);
    }

    /**
     * Queries for every user on the exact path while the node holding a primary of the items index is killed: each answer
     * is the reference top 10 (read before the kill), or says it is not (an error, failed shards, timed out). A different
     * top 10 without such a sign is a wrong answer served silently.
     */
    private void killDataNodeDuringQueries() throws Exception {
        JsonHttp http = cluster.http(0);
        Map<String, List<String>> reference = new HashMap<>();
        for (int u = 0; u < USERS; u++) {
            reference.put("u" + u, topTen(ok(http.post("/fi_items/_search", recommendQuery("u" + u)))));
        }
        int victim = primaryNodeOf("fi_items", 0);
        AtomicInteger counter = new AtomicInteger();
        AtomicInteger right = new AtomicInteger();
        AtomicInteger flagged = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        int queries = 1200;
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            Thread client = new Thread(() -> {
                int n;
                while ((n = counter.getAndIncrement()) < queries) {
                    if (n == queries / 4) {
                        cluster.node(victim).kill();
                    }
                    String user = "u" + (n % USERS);
                    int target = (victim + 1 + n % 2) % cluster.size(); // the two coordinators that stay up
                    try {
                        JsonHttp.Response r = cluster.http(target).post("/fi_items/_search", recommendQuery(user));
                        if (r.status() != 200 || r.at("/_shards/failed").asInt() > 0 || r.at("/timed_out").asBoolean()) {
                            flagged.incrementAndGet();
                        } else if (topTen(r).equals(reference.get(user))) {
                            right.incrementAndGet();
                        } else {
                            wrong.incrementAndGet();
                        }
                    } catch (UncheckedIOException e) {
                        flagged.incrementAndGet();
                    }
                }
            }, "query-client-" + c);
            clients.add(client);
            client.start();
        }
        for (Thread client : clients) {
            client.join();
        }
        cluster.startAgain(victim);
        ok(http.get("/_cluster/health?wait_for_status=green&timeout=120s"));
        String row = String.format(Locale.ROOT, "| kill -9 of the node holding an items primary, during queries | %d queries | — | — | — "
            + "| exact top 10: %d right, %d refused or flagged partial, **%d wrong without a sign**; node-%d killed after %d |",
            queries, right.get(), flagged.get(), wrong.get(), victim, queries / 4);
        System.out.println(row);
        report.add(row);
    }

    private static String recommendQuery(String user) {
        return "{\"size\":10,\"_source\":false,\"query\":{\"recommend\":{\"model\":\"fi\",\"user\":\"" + user
            + "\",\"exact\":true}}}";
    }

    private static List<String> topTen(JsonHttp.Response response) {
        List<String> ids = new ArrayList<>();
        for (JsonNode hit : response.at("/hits/hits")) {
            ids.add(hit.path("_id").asText());
        }
        return ids;
    }

    /**
     * Kills the node running a training once it reaches {@code phase} (in "writing" it is writing the slot it builds),
     * checks that the served model (state, served item factors) is as before, and that a training after it switches.
     */
    private void killTrainingNode(String phase) throws Exception {
        JsonHttp http = cluster.http(0);
        String before = ok(http.get("/_recommend/model/fi")).at("/fi/state").toString();
        Map<String, String> itemsBefore = servedItemFactors(http);
        String train = "{\"events\":{\"index\":\"fi_events\"},\"als\":{\"factors\":" + DIMS + ",\"iterations\":"
            + (phase.equals("als") ? 1000 : 5) + "}}";
        String task = ok(cluster.http(2).post("/_recommend/model/fi/_train?wait_for_completion=false", train)).at("/task").asText();
        String seen = "";
        for (int attempt = 0; attempt < 4000 && seen.equals(phase) == false; attempt++) {
            JsonHttp.Response status = cluster.http(2).get("/_tasks/" + task);
            if (status.at("/completed").asBoolean()) {
                seen = "(completed before it was reached)";
                break;
            }
            seen = status.at("/task/status/phase").asText();
        }
        cluster.node(2).kill();
        cluster.startAgain(2);
        ok(http.get("/_cluster/health?wait_for_status=green&timeout=120s"));
        boolean stateKept = before.equals(ok(http.get("/_recommend/model/fi")).at("/fi/state").toString());
        boolean itemsKept = itemsBefore.equals(servedItemFactors(http));
        int slotBefore = ok(http.get("/_recommend/model/fi")).at("/fi/state/slot").asInt();
        ok(http.post("/_recommend/model/fi/_train", train));
        int slotAfter = ok(http.get("/_recommend/model/fi")).at("/fi/state/slot").asInt();
        String row = "| kill -9 of the node running `_train` (killed in phase " + seen + ") | — | — | — | — | model state unchanged: "
            + stateKept + ", served item factors unchanged: " + itemsKept + ", the next training switched slot "
            + slotBefore + " → " + slotAfter + " |";
        System.out.println(row);
        report.add(row);
    }

    private void killMasterDuringModelPut() throws Exception {
        int master = masterNode();
        int other = (master + 1) % cluster.size();
        String body = "{\"items\":{\"index\":\"fi_items\"},\"users\":{\"index\":\"fi_users2\"},\"factors\":{\"dims\":" + DIMS + "}}";
        Thread killer = new Thread(() -> cluster.node(master).kill());
        JsonHttp.Response put;
        killer.start();
        try {
            put = cluster.http(other).put("/_recommend/model/fi_put?master_timeout=60s&timeout=60s", body);
        } finally {
            killer.join();
        }
        cluster.startAgain(master);
        JsonHttp.Response get = cluster.http(other).get("/_recommend/model/fi_put");
        boolean whole = get.status() == 404 || get.at("/fi_put/users/index").asText().equals("fi_users2");
        JsonHttp.Response again = cluster.http(other).put("/_recommend/model/fi_put", body);
        String row = "| kill -9 of the elected master during a model `PUT` | — | — | — | — | PUT answered " + put.status()
            + ", model afterwards " + (get.status() == 404 ? "absent" : "present") + (whole ? " and whole" : " and **partial**")
            + ", a second PUT " + again.status() + " |";
        System.out.println(row);
        report.add(row);
    }

    private void rollingRestartUnderIngest() throws Exception {
        Stream stream = stream("rolling restart of all three nodes under ingest");
        Thread restarts = new Thread(() -> {
            try {
                for (int node = 0; node < cluster.size(); node++) {
                    sleep(1500);
                    cluster.node(node).stop();
                    cluster.startAgain(node);
                    cluster.http(node).get("/_cluster/health?wait_for_status=green&timeout=120s");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        restarts.start();
        int[] round = { 0 };
        while (restarts.isAlive()) {
            stream.send(100, 2, s -> (round[0] + s) % cluster.size(), -1, null);
            round[0]++;
        }
        restarts.join();
        stream.verify("each node stopped (SIGTERM) and started in turn while " + round[0] + " rounds of 100 events ran");
    }

    private Map<String, Double> history(JsonHttp http, String user) {
        JsonHttp.Response r = http.get("/fi_users/_doc/" + user);
        Map<String, Double> history = new HashMap<>();
        if (r.status() == 200) {
            for (JsonNode entry : r.at("/_source/history")) {
                history.merge(entry.path("item").asText(), entry.path("weight").asDouble(1), Double::sum);
            }
        }
        return history;
    }

    /** The item factors of the slot the model serves ({@code factors}, or {@code factors_alt} after an odd number of trainings). */
    private Map<String, String> servedItemFactors(JsonHttp http) {
        String field = ok(http.get("/_recommend/model/fi")).at("/fi/state/slot").asInt() == 0 ? "factors" : "factors_alt";
        Map<String, String> factors = new HashMap<>();
        JsonHttp.Response r = ok(http.post("/fi_items/_search?_source_exclude_vectors=false",
            "{\"size\":10000,\"_source\":[\"" + field + "\"],\"sort\":[\"_doc\"]}"));
        for (JsonNode hit : r.at("/hits/hits")) {
            factors.put(hit.path("_id").asText(), hit.at("/_source/" + field).toString());
        }
        return factors;
    }

    private long indexFailed() {
        return ok(cluster.http(0).get("/fi_users/_stats/indexing")).at("/_all/total/indexing/index_failed").asLong();
    }

    private int primaryNodeOf(String index) {
        return primaryNodeOf(index, -1);
    }

    /** The node of a primary of the index, not {@code avoid} when another holds one (-1: any). */
    private int primaryNodeOf(String index, int avoid) {
        int found = -1;
        for (JsonNode shard : ok(cluster.http(0).get("/_cat/shards/" + index + "?format=json&h=prirep,node")).json()) {
            if ("p".equals(shard.path("prirep").asText())) {
                int node = Integer.parseInt(shard.path("node").asText().substring("node-".length()));
                if (node != avoid) {
                    return node;
                }
                found = node;
            }
        }
        if (found >= 0) {
            return found;
        }
        throw new IllegalStateException("no primary of " + index);
    }

    private int masterNode() {
        String name = ok(cluster.http(0).get("/_cat/master?format=json")).json().get(0).path("node").asText();
        return Integer.parseInt(name.substring("node-".length()));
    }

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        if (response.status() >= 300) {
            throw new IllegalStateException(response.status() + " " + response.body());
        }
        return response;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
