package org.recsys.recommend.ingest.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.ok;

/**
 * A real three-node cluster (three processes from the integ-test-zip, the plugin installed in each): the model registry
 * across nodes and a full restart, queries over shards and replicas on different nodes, two ingest nodes folding in the
 * same users at once, a new model state refreshing other nodes' cached factors, and a data node killed ({@code kill -9})
 * while events stream in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThreeNodeClusterIT {

    private static final int K = 4;
    private RealCluster cluster;
    private final FoldInCatalogue catalogue = new FoldInCatalogue(31, 400, K, 8, 0.1, 10);

    @BeforeAll
    void start() throws IOException {
        cluster = RealCluster.start(3, NodeSpec.insecure());
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String modelBody(String items, String users) {
        return IngestFixture.modelBody(items, users, K, 0.1, 10, 500);
    }

    private static String usersIndex(String settings) {
        return String.format(Locale.ROOT, """
            {"settings":%s,"mappings":{"properties":{
               "factors":{"type":"dense_vector","dims":%d,"index":false},
               "history":{"type":"object","enabled":false}}}}""", settings, K);
    }

    @Test
    void theRegistryIsTheSameOnEveryNodeAndSurvivesAFullRestart() throws IOException {
        catalogue.load(cluster.http(0), "reg_items", "{\"number_of_shards\":3,\"number_of_replicas\":1}");
        ok(cluster.http(0).put("/_recommend/model/reg", modelBody("reg_items", "reg_users")));
        ok(cluster.http(1).post("/_recommend/model/reg/_refresh", null));
        String[] seen = new String[3];
        for (int i = 0; i < 3; i++) {
            seen[i] = ok(cluster.http(i).get("/_recommend/model/reg")).at("/reg/state").toString();
        }
        assertTrue(seen[0].contains("\"items\":400"), seen[0]);
        assertEquals(seen[0], seen[1]);
        assertEquals(seen[0], seen[2]);
        cluster.fullRestart();
        for (int i = 0; i < 3; i++) {
            assertEquals(seen[0], ok(cluster.http(i).get("/_recommend/model/reg")).at("/reg/state").toString(), "node " + i);
        }
    }

    @Test
    void aQueryOverShardsAndReplicasOnThreeNodesEqualsOneShard() {
        JsonHttp http = cluster.http(2);
        catalogue.load(http, "q_one", "{\"number_of_shards\":1,\"number_of_replicas\":0}");
        catalogue.load(http, "q_many", "{\"number_of_shards\":3,\"number_of_replicas\":1}");
        ok(http.get("/_cluster/health/q_many?wait_for_status=green&timeout=60s"));
        String query = """
            {"size":20,"query":{"recommend":{"user_vector":[0.3,-0.2,0.5,0.1],
              "history":[{"item":"i3","weight":2},{"item":"i17","weight":1}],
              "signals":{"collaborative":{"field":"factors"},"neighbors":{"field":"neighbors","weight":0.5}}}}}""";
        List<String> one = new ArrayList<>();
        List<String> many = new ArrayList<>();
        // each node coordinating: shard copies answer from every node
        for (int node = 0; node < 3; node++) {
            one.add(hits(ok(cluster.http(node).post("/q_one/_search", query))));
            many.add(hits(ok(cluster.http(node).post("/q_many/_search", query))));
        }
        for (int node = 0; node < 3; node++) {
            assertEquals(one.get(0), one.get(node));
            assertEquals(one.get(0), many.get(node), "three shards with replicas, coordinated by node " + node);
        }
    }

    private static String hits(JsonHttp.Response response) {
        StringBuilder out = new StringBuilder();
        for (JsonNode hit : response.at("/hits/hits")) {
            out.append(hit.path("_id").asText()).append(String.format(Locale.ROOT, ":%.5f ", hit.path("_score").asDouble()));
        }
        assertTrue(out.length() > 0, response.body());
        return out.toString();
    }

    @Test
    void twoIngestNodesFoldingInTheSameUsersLoseNothing() throws InterruptedException {
        JsonHttp admin = cluster.http(0);
        catalogue.load(admin, "race_items", "{\"number_of_shards\":2,\"number_of_replicas\":1}");
        ok(admin.put("/race_users", usersIndex("{\"number_of_shards\":2,\"number_of_replicas\":1}")));
        ok(admin.put("/_recommend/model/race", modelBody("race_items", "race_users")));
        ok(admin.post("/_recommend/model/race/_refresh", null));
        ok(admin.put("/_ingest/pipeline/race", "{\"processors\":[{\"recommend_update\":{\"model\":\"race\"}}]}"));
        ok(admin.get("/_cluster/health/race_*?wait_for_status=green&timeout=60s"));
        long failedBefore = indexFailed(admin, "race_users");
        int users = 6;
        int perSender = 40;
        Map<String, Map<String, Double>> acked = Collections.synchronizedMap(new HashMap<>());
        List<Thread> senders = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int node = 0; node < 2; node++) {
            JsonHttp http = cluster.http(node);
            int sender = node;
            Thread thread = new Thread(() -> {
                for (int n = 0; n < perSender; n++) {
                    String user = "u" + (n % users);
                    String item = FoldInCatalogue.id((sender * 131 + n * 7) % 400);
                    JsonHttp.Response response = http.post("/race_events/_doc?pipeline=race",
                        IngestFixture.event(user, item, null, null, null));
                    if (response.status() == 201) {
                        acked.computeIfAbsent(user, u -> Collections.synchronizedMap(new LinkedHashMap<>())).merge(item, 1.0, Double::sum);
                    } else {
                        errors.add(new AssertionError(response.status() + " " + response.body()));
                    }
                }
            }, "sender-" + node);
            senders.add(thread);
            thread.start();
        }
        for (Thread thread : senders) {
            thread.join(120_000);
        }
        assertTrue(errors.isEmpty(), "every event is acknowledged: " + errors);
        for (int u = 0; u < users; u++) {
            String user = "u" + u;
            IngestFixture.Profile profile = IngestFixture.profile(admin, "race_users", user);
            assertEquals(acked.get(user), profile.history(), user + ": every acknowledged event, once");
            double error = FoldInCatalogue.relativeError(profile.factors(), catalogue.closedForm(profile.history()));
            assertTrue(error < 1e-4, user + " vector against the closed form: " + error);
        }
        // both nodes wrote the same profiles: conditional writes conflicted, and the conflicted events were applied again
        assertTrue(indexFailed(admin, "race_users") > failedBefore, "version conflicts on the profiles (the race ran)");
    }

    private static long indexFailed(JsonHttp http, String index) {
        return ok(http.get("/" + index + "/_stats/indexing")).at("/_all/total/indexing/index_failed").asLong();
    }

    @Test
    void aNewModelStateRefreshesTheFactorsOtherNodesCached() {
        JsonHttp node0 = cluster.http(0);
        JsonHttp node2 = cluster.http(2);
        // items and users only on node 0: node 2's cache never sees their writes
        String onNode0 = "{\"number_of_shards\":1,\"number_of_replicas\":0,\"index.routing.allocation.require._name\":\"node-0\"}";
        FoldInCatalogue local = new FoldInCatalogue(37, 60, K, 5, 0.1, 10);
        local.load(node0, "st_items", onNode0);
        ok(node0.put("/st_users", usersIndex(onNode0)));
        ok(node0.put("/_recommend/model/st", modelBody("st_items", "st_users")));
        ok(node0.post("/_recommend/model/st/_refresh", null));
        ok(node0.put("/_ingest/pipeline/st", "{\"processors\":[{\"recommend_update\":{\"model\":\"st\"}}]}"));
        ok(node2.post("/st_events/_doc?pipeline=st", IngestFixture.event("carol", "i3", null, null, null))); // node 2 caches i3

        float[] moved = { 0.9f, -0.4f, 0.2f, 0.7f };
        local.setFactors(3, moved);
        ok(node0.put("/st_items/_doc/i3?refresh=true", local.itemSource(3))); // applied on node 0 only
        ok(node0.post("/_recommend/model/st/_refresh", null)); // a new Gramian, with i3's new factors

        ok(node2.post("/st_events/_doc?pipeline=st", IngestFixture.event("carol", "i4", null, null, null)));
        IngestFixture.Profile carol = IngestFixture.profile(node0, "st_users", "carol");
        double error = FoldInCatalogue.relativeError(carol.factors(), local.closedForm(carol.history()));
        assertTrue(error < 1e-4, "node 2 folded carol in with i3's new factors, not its cached old ones: " + error);
    }

    @Test
    void killingTheNodeWithTheProfilesPrimaryLosesNoAcknowledgedEvent() throws Exception {
        JsonHttp node0 = cluster.http(0);
        String offNode0 = "{\"number_of_shards\":1,\"number_of_replicas\":1,\"index.routing.allocation.exclude._name\":\"node-0\"}";
        catalogue.load(node0, "kill_items", "{\"number_of_shards\":1,\"number_of_replicas\":2}");
        ok(node0.put("/kill_users", usersIndex(offNode0)));
        ok(node0.put("/kill_events", "{\"settings\":" + offNode0 + "}"));
        ok(node0.put("/_recommend/model/kill", modelBody("kill_items", "kill_users")));
        ok(node0.post("/_recommend/model/kill/_refresh", null));
        ok(node0.put("/_ingest/pipeline/kill", "{\"processors\":[{\"recommend_update\":{\"model\":\"kill\"}}]}"));
        ok(node0.get("/_cluster/health/kill_*?wait_for_status=green&timeout=60s"));
        int primaryNode = primaryNodeOf(node0, "kill_users");

        Map<String, List<String>> acked = new HashMap<>();
        List<String> refused = new ArrayList<>();
        AtomicBoolean killed = new AtomicBoolean();
        int events = 0;
        for (int n = 0; n < 300; n++) {
            String user = "k" + (n % 5);
            String item = FoldInCatalogue.id(n); // every event a new item: a count of 2 anywhere is a double count
            JsonHttp.Response response;
            try {
                response = node0.post("/kill_events/_doc?pipeline=kill&timeout=30s", IngestFixture.event(user, item, null, null, null));
            } catch (UncheckedIOException e) {
                refused.add(item + " " + e.getMessage());
                continue;
            }
            events++;
            if (response.status() == 201) {
                acked.computeIfAbsent(user, u -> new ArrayList<>()).add(item);
            } else {
                refused.add(item + " " + response.status());
            }
            if (n == 100) {
                cluster.node(primaryNode).kill();
                killed.set(true);
            }
        }
        assertTrue(killed.get());
        cluster.startAgain(primaryNode);
        ok(node0.get("/_cluster/health/kill_*?wait_for_status=green&timeout=120s"));
        int ackedCount = 0;
        for (Map.Entry<String, List<String>> user : acked.entrySet()) {
            IngestFixture.Profile profile = IngestFixture.profile(node0, "kill_users", user.getKey());
            for (String item : user.getValue()) {
                assertEquals(1.0, profile.history().get(item), user.getKey() + " " + item + ": acknowledged, so there, once");
                ackedCount++;
            }
            for (double weight : profile.history().values()) {
                assertEquals(1.0, weight, "nothing counted twice: " + profile.history());
            }
        }
        assertTrue(ackedCount > 200, ackedCount + " of " + events + " acknowledged; refused: " + refused);
    }

    private static int primaryNodeOf(JsonHttp http, String index) {
        for (JsonNode shard : ok(http.get("/_cat/shards/" + index + "?format=json&h=prirep,node")).json()) {
            if ("p".equals(shard.path("prirep").asText())) {
                return Integer.parseInt(shard.path("node").asText().substring("node-".length()));
            }
        }
        throw new AssertionError("no primary of " + index);
    }
}
