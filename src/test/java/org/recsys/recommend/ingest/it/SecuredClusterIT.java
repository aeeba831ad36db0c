package org.recsys.recommend.ingest.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealCluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.ingest.it.FoldInCatalogue.ok;

/**
 * Security on across a real three-node cluster: a profile write that crosses nodes (event through one node, the users
 * shard on others) runs with the sender's privileges, and model and endpoint privileges hold on every node. The nodes run
 * with the profile cache off (ThreeNodeClusterIT runs with it on): two nodes folding in the same users read every profile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecuredClusterIT {

    private static final String MODEL = IngestFixture.modelBody("sec_items", "sec_users", 4, 0.1, 10, 50);
    private RealCluster cluster;
    private final FoldInCatalogue catalogue = new FoldInCatalogue(43, 60, 4, 6, 0.1, 10);

    @BeforeAll
    void start() throws IOException {
        String roles;
        try (InputStream in = SecuredClusterIT.class.getResourceAsStream("/security/ingest-roles.yml")) {
            roles = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        cluster = RealCluster.start(3, NodeSpec.secured(roles, List.of(
            new NodeSpec.User("monitor", "monitor-password", List.of("model_monitor")),
            new NodeSpec.User("writer", "writer-password", List.of("events_writer")),
            new NodeSpec.User("nousers", "nousers-password", List.of("events_writer_without_users"))))
            .withSettings(Map.of("recommend.ingest.profile_cache.size", "0")));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private boolean loaded;

    private void load() {
        if (loaded) {
            return;
        }
        loaded = true;
        JsonHttp admin = cluster.http(0);
        catalogue.load(admin, "sec_items", "{\"number_of_shards\":2,\"number_of_replicas\":1}");
        ok(admin.put("/sec_users", "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":1}}"));
        ok(admin.put("/sec_events", "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":1}}"));
        ok(admin.put("/_recommend/model/sec", MODEL));
        ok(admin.post("/_recommend/model/sec/_refresh", null));
        ok(admin.put("/_ingest/pipeline/sec", "{\"processors\":[{\"recommend_update\":{\"model\":\"sec\"}}]}"));
        ok(admin.get("/_cluster/health?wait_for_status=green&timeout=60s"));
    }

    @Test
    void privilegesHoldOnEveryNodeAndProfileWritesCrossNodesAsTheSender() {
        load();
        JsonHttp admin = cluster.http(0);
        for (int node = 0; node < 3; node++) {
            JsonHttp writer = cluster.http(node).as("writer", "writer-password");
            ok(writer.post("/sec_events/_doc?pipeline=sec", IngestFixture.event("user" + node, "i" + (node + 1), null, null, null)));
            IngestFixture.Profile profile = IngestFixture.profile(admin, "sec_users", "user" + node);
            assertEquals(Map.of("i" + (node + 1), 1.0), profile.history());
            assertTrue(FoldInCatalogue.relativeError(profile.factors(), catalogue.closedForm(profile.history())) < 1e-4);

            JsonHttp.Response denied = cluster.http(node).as("nousers", "nousers-password")
                .post("/sec_events/_doc?pipeline=sec", IngestFixture.event("eve", "i2", null, null, null));
            assertEquals(403, denied.status(), "node " + node + ": " + denied.body());
            JsonHttp monitor = cluster.http(node).as("monitor", "monitor-password");
            assertEquals(200, monitor.get("/_recommend/model/sec").status());
            assertEquals(403, monitor.post("/_recommend/model/sec/_refresh", null).status());
            assertEquals(403, monitor.post("/sec_items/_recommend", "{\"model\":\"sec\",\"user\":\"user0\"}").status());
            JsonHttp.Response recommended = cluster.http(node).as("writer", "writer-password")
                .post("/sec_items/_recommend", "{\"model\":\"sec\",\"user\":\"user0\",\"size\":3}");
            assertEquals(200, recommended.status(), recommended.body());
        }
        assertEquals(404, admin.get("/sec_users/_doc/eve").status(), "no profile written for the denied sender");
    }

    @Test
    void twoNodesFoldingInTheSameUsersWithoutTheProfileCacheLoseNothing() throws InterruptedException {
        load();
        JsonHttp admin = cluster.http(0);
        long conflictsBefore = ok(admin.get("/sec_users/_stats/indexing")).at("/_all/total/indexing/index_failed").asLong();
        Map<String, Map<String, Double>> acked = new ConcurrentHashMap<>();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> senders = new ArrayList<>();
        for (int node = 1; node < 3; node++) {
            JsonHttp writer = cluster.http(node).as("writer", "writer-password");
            int sender = node;
            Thread thread = new Thread(() -> {
                for (int n = 0; n < 30; n++) {
                    String user = "race" + (n % 4);
                    String item = FoldInCatalogue.id((sender * 17 + n * 5) % 60);
                    JsonHttp.Response r = writer.post("/sec_events/_doc?pipeline=sec", IngestFixture.event(user, item, null, null, null));
                    if (r.status() == 201) {
                        acked.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).merge(item, 1.0, Double::sum);
                    } else {
                        errors.add(r.status() + " " + r.body());
                    }
                }
            });
            senders.add(thread);
            thread.start();
        }
        for (Thread thread : senders) {
            thread.join(120_000);
        }
        assertTrue(errors.isEmpty(), errors.toString());
        for (Map.Entry<String, Map<String, Double>> user : acked.entrySet()) {
            IngestFixture.Profile profile = IngestFixture.profile(admin, "sec_users", user.getKey());
            assertEquals(user.getValue(), profile.history(), user.getKey() + ": every acknowledged event, once");
            assertTrue(FoldInCatalogue.relativeError(profile.factors(), catalogue.closedForm(profile.history())) < 1e-4);
        }
        long conflicts = ok(admin.get("/sec_users/_stats/indexing")).at("/_all/total/indexing/index_failed").asLong() - conflictsBefore;
        assertTrue(conflicts > 0, "the two nodes' writes conflicted (the race ran): " + conflicts);
    }
}
