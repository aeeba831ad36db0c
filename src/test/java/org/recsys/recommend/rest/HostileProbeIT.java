package org.recsys.recommend.rest;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeConfig;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and malformed requests against every endpoint and option, from callers at each privilege boundary: none may be
 * answered with a 5xx, and every refusal is a 4xx whose reason names the field, the parameter or the privilege.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealNodeConfig(
    security = true,
    roles = "/security/probe-roles.yml",
    users = { "monitor:monitor-password:p_monitor", "reader:reader-password:p_reader", "nothing:nothing-password:p_nothing" }
)
class HostileProbeIT {

    // shared openings of the probes' bodies and paths
    private static final String M = "{\"items\":{\"index\":\"i\"},\"users\":{\"index\":\"u\"},";
    private static final String E = "{\"events\":{\"index\":\"p_events\"},";
    private static final String T = "/_recommend/model/p/_train";
    private static final String V = "/_recommend/model/p/_evaluate";
    private static final String X = "{\"test\":{\"index\":\"p_events\"},";

    private record Probe(String user, String method, String path, String body, int status, String names) {}

    private final List<Probe> probes = new ArrayList<>();

    private static JsonHttp.Response ok(JsonHttp.Response response) {
        assertTrue(response.status() < 300, response.status() + " " + response.body());
        return response;
    }

    @BeforeAll
    void load(JsonHttp admin) {
        ok(admin.put("/_recommend/model/p", "{\"items\":{\"index\":\"p_items\"},\"users\":{\"index\":\"p_users\"},"
            + "\"factors\":{\"dims\":4}}"));
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            items.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"title\":\"item ").append(i).append("\",\"genre\":\"g")
                .append(i % 3).append("\"}\n");
        }
        ok(admin.postNdjson("/p_items/_bulk?refresh=true", items.toString()));
        StringBuilder events = new StringBuilder();
        for (int u = 0; u < 10; u++) {
            for (int n = 0; n < 4; n++) {
                events.append("{\"index\":{}}\n{\"user\":\"u").append(u).append("\",\"item\":\"i").append((u + n * 3) % 20).append("\"}\n");
            }
        }
        ok(admin.postNdjson("/p_events/_bulk?refresh=true", events.toString()));
        ok(admin.post(T, E + "\"als\":{\"factors\":4,\"iterations\":3}}"));
        ok(admin.put("/_ingest/pipeline/p", "{\"processors\":[{\"recommend_update\":{\"model\":\"p\"}}]}"));
    }

    private void probe(String user, String method, String path, String body, int status, String names) {
        probes.add(new Probe(user, method, path, body, status, names));
    }

    private void admin(String method, String path, String body, int status, String names) {
        probe(null, method, path, body, status, names);
    }

    @Test
    void noHostileRequestGetsA5xxAndEveryRefusalNamesWhy(JsonHttp admin) {
        String model = "{\"items\":{\"index\":\"p_items\"},\"users\":{\"index\":\"p_users\"},\"factors\":{\"dims\":4}}";
        String train = E + "\"als\":{\"factors\":4,\"iterations\":2}}";
        String eval = "{\"test\":{\"index\":\"p_events\"},\"k\":5,\"configs\":{\"blend\":{}}}";
        String rec = "{\"model\":\"p\",\"user\":\"u1\"";

        // privilege boundaries: every action refused to whoever lacks its privilege, naming the action
        probe("nothing", "GET", "/_recommend", null, 403, "cluster:monitor/recommend/info");
        probe("nothing", "GET", "/_recommend/model/p", null, 403, "cluster:monitor/recommend/model/get");
        probe("nothing", "GET", "/_recommend/model", null, 403, "cluster:monitor/recommend/model/get");
        probe("monitor", "PUT", "/_recommend/model/q", model, 403, "cluster:admin/recommend/model/put");
        probe("reader", "PUT", "/_recommend/model/q", model, 403, "cluster:admin/recommend/model/put");
        probe("monitor", "DELETE", "/_recommend/model/p", null, 403, "cluster:admin/recommend/model/delete");
        probe("monitor", "POST", "/_recommend/model/p/_refresh", null, 403, "cluster:admin/recommend/model/refresh");
        probe("monitor", "POST", T, train, 403, "cluster:admin/recommend/model/train");
        probe("monitor", "POST", "/_recommend/model/p/_train?wait_for_completion=false", train, 403, "cluster:admin/recommend/model/train");
        probe("reader", "POST", T, train, 403, "cluster:admin/recommend/model/train");
        probe("monitor", "POST", "/_recommend/model/nope/_train", train, 403, "cluster:admin/recommend/model/train");
        String staged = "{\"staging_index\":\"p_staging\",\"run_id\":\"r1\"}";
        probe("monitor", "POST", "/_recommend/model/p/_import", staged, 403, "cluster:admin/recommend/model/import");
        probe("reader", "POST", "/_recommend/model/p/_import?wait_for_completion=false", staged, 403,
            "cluster:admin/recommend/model/import");
        probe("monitor", "POST", "/_recommend/model/nope/_import", staged, 403, "cluster:admin/recommend/model/import");
        admin("POST", "/_recommend/model/p/_import", "{\"staging_index\":\"p_staging\"}", 400, "[run_id]");
        admin("POST", "/_recommend/model/p/_import", "{\"staging_index\":[1],\"run_id\":\"r1\"}", 400, "staging_index");
        admin("POST", "/_recommend/model/p/_import", "{\"staging_index\":\"p_staging\",\"run_id\":\"../x\"}", 400, "[run_id]");
        admin("POST", "/_recommend/model/p/_import", null, 400, "body");
        admin("POST", "/_recommend/model/p/_import", staged, 404, "p_staging");
        probe("monitor", "POST", "/_recommend/model/p/_evaluate", eval, 403, "indices:data/read/recommend/evaluate");
        probe("nothing", "POST", "/_recommend/model/p/_evaluate", eval, 403, "indices:data/read/recommend/evaluate");
        probe("monitor", "POST", "/p_items/_recommend", rec + "}", 403, "indices:data/read/recommend");
        probe("nothing", "POST", "/p_items/_recommend", "{\"model\":\"nope\",\"user\":\"u1\"}", 403, "indices:data/read/recommend");
        probe("monitor", "POST", "/p_items/_search", "{\"query\":{\"recommend\":{\"model\":\"p\",\"user\":\"u1\"}}}", 403,
            "indices:data/read/search");
        probe("monitor", "POST", "/p_events/_doc?pipeline=p", "{\"user\":\"u1\",\"item\":\"i1\"}", 403, "indices:data/write");
        probe("reader", "POST", "/p_events/_doc?pipeline=p", "{\"user\":\"u1\",\"item\":\"i1\"}", 403, "indices:data/write");
        probe("monitor", "GET", "/_tasks?detailed=true&actions=nope", null, 200, null); // allowed: the control for the next
        probe(null, "GET", "/_recommend", null, 200, null);

        // model PUT: every setting wrong
        admin("PUT", "/_recommend/model/q", "{}", 400, "[items]");
        admin("PUT", "/_recommend/model/q", "[]", 400, "");
        admin("PUT", "/_recommend/model/q", "not json", 400, "");
        admin("PUT", "/_recommend/model/q", null, 400, "body");
        admin("PUT", "/_recommend/model/q", "{\"items\":{\"index\":7},\"users\":{\"index\":\"u\"},\"factors\":{\"dims\":4}}", 400, "items");
        admin("PUT", "/_recommend/model/q", M + "\"factors\":{\"dims\":0}}", 400, "dims");
        admin("PUT", "/_recommend/model/q", M + "\"factors\":{\"dims\":4,\"regularization\":\"per_row\"}}", 400,
            "[factors.regularization] must be one of [constant, weighted], got [per_row]");
        admin("PUT", "/_recommend/model/q", M + "\"factors\":{\"dims\":4,\"regularization\":true}}", 400, "regularization");
        admin("GET", "/_cat/recommend/models/nope", null, 404, "[model] unknown recommend model [nope]");
        probe("nothing", "GET", "/_cat/recommend/models", null, 403, "cluster:monitor/recommend/model/get");
        probe("nothing", "GET", "/_recommend/_stats", null, 403, "cluster:monitor/recommend/stats");
        admin("PUT", "/_recommend/model/q", M + "\"factors\":{\"dims\":-3}}", 400, "dims");
        admin("PUT", "/_recommend/model/q", M + "\"factors\":{\"dims\":99999}}", 400,
            "dims");
        admin("PUT", "/_recommend/model/q", M + "\"factors\":{\"dims\":\"four\"}}", 400,
            "dims");
        admin("PUT", "/_recommend/model/q", M + "\"factors\":{\"dims\":4,\"lambda\":-1}}",
            400, "lambda");
        admin("PUT", "/_recommend/model/q", M + "\"factors\":{\"dims\":4,\"alpha\":-1}}",
            400, "alpha");
        admin("PUT", "/_recommend/model/q", "{\"items\":{\"index\":\"i\"},\"users\":{\"index\":\"u\",\"max_history\":0},"
            + "\"factors\":{\"dims\":4}}", 400, "max_history");
        admin("PUT", "/_recommend/model/q", "{\"items\":{\"index\":\"i\"},\"users\":{\"index\":\"u\",\"seen\":\"history\"},"
            + "\"factors\":{\"dims\":4}}", 400, "[users.seen]");
        admin("PUT", "/_recommend/model/q", M + "\"factors\":{\"dims\":4},\"colour\":1}",
            400, "colour");
        admin("PUT", "/_recommend/model/q", "{\"items\":{\"index\":\"_bad\"},\"users\":{\"index\":\"u\"},\"factors\":{\"dims\":4}}", 400,
            "_bad");
        admin("PUT", "/_recommend/model/q", "{\"items\":{\"index\":\"BAD\"},\"users\":{\"index\":\"u\"},\"factors\":{\"dims\":4}}", 400,
            "BAD");
        admin("PUT", "/_recommend/model/q", model.replace("\"dims\":4", "\"dims\":8"),
            400, "dims");
        admin("PUT", "/_recommend/model/q", M + "\"factors\":{\"dims\":4},"
            + "\"signals\":{\"bogus\":{}}}", 400, "bogus");
        admin("PUT", "/_recommend/model/q", M + "\"factors\":{\"dims\":4},"
            + "\"signals\":{\"collaborative\":{\"weight\":-1}}}", 400, "weight");
        admin("PUT", "/_recommend/model/q?timeout=soon", model, 400, "timeout");
        admin("PUT", "/_recommend/model/q?bogus=1", model, 400, "bogus");
        admin("GET", "/_recommend/model/nope", null, 404, "nope");
        admin("DELETE", "/_recommend/model/nope", null, 404, "nope");
        admin("POST", "/_recommend/model/nope/_refresh", null, 404, "nope");
        admin("POST", "/_recommend/model/p/_refresh?bogus=1", null, 400, "bogus");

        // _train
        admin("POST", "/_recommend/model/nope/_train", train, 404, "nope");
        admin("POST", T, null, 400, "body");
        admin("POST", T, "{}", 400, "[events.index]");
        admin("POST", T, "{\"events\":{}}", 400, "[events.index]");
        admin("POST", T, "{\"events\":{\"index\":\"missing_events\"}}", 404, "missing_events");
        admin("POST", T, E + "\"als\":{\"factors\":5}}", 400, "[als.factors]");
        admin("POST", T, E + "\"als\":{\"iterations\":0}}", 400, "iterations");
        admin("POST", T, E + "\"als\":{\"iterations\":1001}}", 400, "iterations");
        admin("POST", T, E + "\"als\":{\"lambda\":-2}}", 400, "lambda");
        admin("POST", T, E + "\"als\":{\"alpha\":\"x\"}}", 400, "alpha");
        admin("POST", T, E + "\"als\":{\"seed\":\"x\"}}", 400, "seed");
        admin("POST", T, E + "\"als\":{\"cg_steps\":0}}", 400, "cg_steps");
        admin("POST", T, E + "\"neighbors\":{\"k\":-1}}", 400, "k");
        admin("POST", T, E + "\"neighbors\":{\"similarity\":\"bogus\"}}", 400,
            "similarity");
        admin("POST", T, E + "\"neighbors\":{\"lambda\":0}}", 400, "lambda");
        admin("POST", T, E + "\"content\":{\"fields\":[\"title\"],\"min_items\":0}}", 400, "min_items");
        admin("POST", T, E + "\"content\":{\"fields\":[\"title\"],"
            + "\"max_features\":999999}}", 400, "max_features");
        admin("POST", T, E + "\"tune\":{\"validation\":0.9}}", 400,
            "[tune.validation]");
        admin("POST", T, E + "\"tune\":{\"max_users\":5}}", 400,
            "[tune.max_users]");
        admin("POST", T, E + "\"tune\":{\"max_time\":\"-1\"}}", 400, "max_time");
        admin("POST", T, E + "\"tune\":{\"colour\":1}}", 400, "colour");
        admin("POST", T, E + "\"colour\":1}", 400, "colour");
        admin("POST", T, "{\"events\":{\"index\":\"p_events\",\"query\":{\"bogus\":{}}}}", 400, "bogus");
        admin("POST", "/_recommend/model/p/_train?wait_for_completion=false", E + "\"als\":{\"factors\":5}}",
            400, "[als.factors]");
        admin("POST", "/_recommend/model/p/_train?wait_for_completion=maybe", train, 400, "wait_for_completion");
        admin("POST", "/_recommend/model/p/_train?bogus=1", train, 400, "bogus");

        // _evaluate
        admin("POST", "/_recommend/model/nope/_evaluate", eval, 404, "nope");
        admin("POST", "/_recommend/model/p/_evaluate", "{}", 400, "test");
        admin("POST", "/_recommend/model/p/_evaluate", "{\"test\":{\"index\":\"missing_test\"},\"configs\":{\"b\":{}}}", 404,
            "missing_test");
        admin("POST", V, X + "\"k\":0,\"configs\":{\"b\":{}}}", 400, "k");
        admin("POST", V, X + "\"configs\":{}}", 400, "configs");
        admin("POST", V, X + "\"configs\":{\"b\":7}}", 400, "configs");
        admin("POST", V, X + "\"configs\":{\"b\":{\"bogus\":1}}}", 400,
            "[configs.b]");
        admin("POST", V, X + "\"configs\":{\"b\":{}},\"colour\":1}", 400,
            "colour");

        // _recommend: every option wrong
        admin("POST", "/p_items/_recommend", rec + ",\"size\":-1}", 400, "[size]");
        admin("POST", "/p_items/_recommend", rec + ",\"size\":1001}", 400, "[size]");
        admin("POST", "/p_items/_recommend", rec + ",\"size\":\"ten\"}", 400, "[size]");
        admin("POST", "/p_items/_recommend", rec + ",\"from\":-1}", 400, "[from]");
        admin("POST", "/p_items/_recommend", rec + ",\"from\":2147483647,\"size\":5}", 400, "[from]");
        admin("POST", "/p_items/_recommend", "{\"model\":\"nope\",\"user\":\"u1\"}", 400, "[model]");
        admin("POST", "/p_items/_recommend", "{\"model\":\"p\",\"user\":\"ghost\"}", 400, "ghost");
        admin("POST", "/p_items/_recommend", "{\"model\":\"p\"}", 400, "[recommend]");
        admin("POST", "/p_items/_recommend", rec + ",\"diversity\":{\"field\":\"nope\",\"max_per_value\":2}}", 400, "[diversity.field]");
        admin("POST", "/p_items/_recommend", rec + ",\"diversity\":{\"field\":\"genre.keyword\",\"max_per_value\":0}}", 400,
            "max_per_value");
        admin("POST", "/p_items/_recommend", rec + ",\"diversity\":{\"mmr\":{\"lambda\":2}}}", 400, "[diversity.mmr.lambda]");
        admin("POST", "/p_items/_recommend", rec + ",\"diversity\":{\"mmr\":{\"lambda\":0.5,\"colour\":1}}}", 400, "colour");
        admin("POST", "/p_items/_recommend", rec + ",\"dither\":{\"epsilon\":0.5}}", 400, "[dither.epsilon]");
        admin("POST", "/p_items/_recommend", rec + ",\"backfill\":\"sometimes\"}", 400, "[backfill]");
        admin("POST", "/p_items/_recommend", rec + ",\"unknown_user\":\"maybe\"}", 400, "[unknown_user]");
        admin("POST", "/p_items/_recommend", rec + ",\"explain\":\"perhaps\"}", 400, "explain");
        admin("POST", "/p_items/_recommend", rec + ",\"colour\":\"red\"}", 400, "colour");
        admin("POST", "/p_items/_recommend", rec + ",\"_source\":7}", 400, "[_source]");
        admin("POST", "/p_items/_recommend", "{\"model\":\"p\",\"user_vector\":[1,2,3]}", 400, "user_vector");
        admin("POST", "/p_items/_recommend", "{\"model\":\"p\",\"user_vector\":[1e30,0,0,0]}", 400, "[user_vector]");
        admin("POST", "/p_items/_recommend", "{\"model\":\"p\",\"user_vector\":[]}", 400, "[user_vector]");
        admin("POST", "/p_items/_recommend", "{\"model\":\"p\",\"user_vector\":[\"a\",0,0,0]}", 400, "user_vector");
        admin("POST", "/p_items/_recommend", "{\"model\":\"p\",\"history\":[{\"item\":\"i1\",\"weight\":0}]}", 400, "[history]");
        admin("POST", "/p_items/_recommend", "{\"model\":\"p\",\"history\":[{\"item\":\"i1\",\"weight\":1e30}]}", 400, "[history]");
        admin("POST", "/p_items/_recommend", "{\"model\":\"p\",\"history\":[{\"weight\":1}]}", 400, "[history]");
        admin("POST", "/p_items/_recommend", "{\"model\":\"p\",\"items\":[\"\"]}", 400, "[items]");
        admin("POST", "/p_items/_recommend", rec + ",\"signals\":{\"collaborative\":{\"weight\":-1}}}", 400, "weight");
        admin("POST", "/p_items/_recommend", rec + ",\"signals\":{\"collaborative\":{\"weight\":1e308}}}", 400, "weight");
        admin("POST", "/p_items/_recommend", rec + ",\"signals\":{\"collaborative\":{\"pivot\":0}}}", 400, "pivot");
        admin("POST", "/p_items/_recommend", rec + ",\"signals\":{\"collaborative\":{\"normalization\":\"odd\"}}}", 400, "normalization");
        admin("POST", "/p_items/_recommend", rec + ",\"signals\":{\"bogus\":{}}}", 400, "bogus");
        admin("POST", "/p_items/_recommend", rec + ",\"signals\":{\"content\":{\"fields\":[]}}}", 400, "content");
        admin("POST", "/p_items/_recommend", rec + ",\"num_candidates\":-5}", 400, "num_candidates");
        admin("POST", "/p_items/_recommend", "{\"requests\":7}", 400, "[requests]");
        admin("POST", "/p_items/_recommend", "{\"requests\":[]}", 400, "[requests]");
        admin("POST", "/p_items/_recommend", "{\"requests\":[{\"model\":\"p\",\"user\":\"u1\"}],\"size\":3}", 400, "[requests]");
        admin("POST", "/p_items/_recommend", "{\"requests\":[" + "{\"model\":\"p\",\"user\":\"u1\"},".repeat(100)
            + "{\"model\":\"p\",\"user\":\"u1\"}]}", 400, "[requests]");
        admin("GET", "/p_items/_recommend?model=p&user=u1&size=many", null, 400, "size");
        admin("GET", "/p_items/_recommend?model=p&user=u1&bogus=1", null, 400, "bogus");
        admin("GET", "/missing_items/_recommend?model=p&user=u1", null, 404, "missing_items");
        admin("POST", "/p_items/_recommend", "not json", 400, "");

        // the query in _search
        admin("POST", "/p_items/_search", "{\"query\":{\"recommend\":{\"model\":\"nope\",\"user\":\"u1\"}}}", 400, "[model]");
        admin("POST", "/p_items/_search", "{\"query\":{\"recommend\":{}}}", 400, "[recommend]");
        admin("POST", "/p_items/_search", "{\"query\":{\"recommend\":{\"model\":\"p\",\"user\":\"u1\",\"colour\":1}}}", 400, "colour");
        admin("POST", "/p_items/_search", "{\"query\":{\"recommend\":{\"user_vector\":[1,2,3,4],\"signals\":{\"collaborative\":"
            + "{\"field\":\"nope\"}}}}}", 400, "nope");
        admin("POST", "/p_items/_search", "{\"query\":{\"recommend\":{\"user\":{\"index\":\"p_users\"}}}}", 400, "");
        admin("POST", "/p_items/_search", "{\"query\":{\"recommend\":{\"model\":\"p\",\"user\":\"u1\"}},"
            + "\"rescore\":{\"recommend_diversity\":{\"field\":\"nope\",\"max_per_value\":1}}}", 400, "nope");
        admin("POST", "/p_items/_search", "{\"query\":{\"recommend\":{\"model\":\"p\",\"user\":\"u1\"}},"
            + "\"rescore\":{\"recommend_diversity\":{\"max_per_value\":-1}}}", 400, "");

        // the processor: pipeline definitions and events
        admin("PUT", "/_ingest/pipeline/bad", "{\"processors\":[{\"recommend_update\":{}}]}", 400, "model");
        admin("PUT", "/_ingest/pipeline/bad", "{\"processors\":[{\"recommend_update\":{\"model\":\"p\",\"mode\":\"odd\"}}]}", 400, "mode");
        admin("PUT", "/_ingest/pipeline/bad", "{\"processors\":[{\"recommend_update\":{\"model\":\"p\",\"max_retries\":-1}}]}", 400,
            "max_retries");
        admin("PUT", "/_ingest/pipeline/bad", "{\"processors\":[{\"recommend_update\":{\"model\":\"p\",\"item_nudge\":2}}]}", 400,
            "item_nudge");
        admin("PUT", "/_ingest/pipeline/bad", "{\"processors\":[{\"recommend_update\":{\"model\":\"p\",\"action_weights\":{\"buy\":-1}}}]}",
            400, "action_weights");
        admin("PUT", "/_ingest/pipeline/bad",
            "{\"processors\":[{\"recommend_update\":{\"model\":\"p\",\"action_weights\":{\"buy\":1e308}}}]}", 400, "at most 1000000");
        admin("PUT", "/_ingest/pipeline/bad", "{\"processors\":[{\"recommend_update\":{\"model\":\"p\",\"colour\":1}}]}", 400, "colour");
        admin("POST", "/p_events/_doc?pipeline=p", "{\"item\":\"i1\"}", 400, "[user]");
        admin("POST", "/p_events/_doc?pipeline=p", "{\"user\":\"u1\"}", 400, "[item]");
        admin("POST", "/p_events/_doc?pipeline=p", "{\"user\":\"u1\",\"item\":\"i1\",\"weight\":-1}", 400, "[weight]");
        admin("POST", "/p_events/_doc?pipeline=p", "{\"user\":\"u1\",\"item\":\"i1\",\"weight\":1e300}", 400, "[weight]");
        admin("POST", "/p_events/_doc?pipeline=p", "{\"user\":\"u1\",\"item\":\"ghost\"}", 400, "ghost");
        admin("POST", "/p_events/_doc?pipeline=p", "{\"user\":\"" + "x".repeat(600) + "\",\"item\":\"i1\"}", 400, "512 bytes");
        admin("POST", "/p_events/_doc?pipeline=p", "{\"user\":[\"u1\",\"u2\"],\"item\":\"i1\"}", 400, "[user]");
        admin("PUT", "/p_users/_doc/x?pipeline=p", "{\"history\":\"i1\"}", 400, "");

        List<String> problems = new ArrayList<>();
        int refusals = 0;
        for (Probe p : probes) {
            JsonHttp http = p.user() == null ? admin : admin.as(p.user(), p.user() + "-password");
            JsonHttp.Response r;
            try {
                r = http.send(p.method(), p.path(), p.body(), "application/json");
            } catch (RuntimeException e) {
                problems.add(p + " -> " + e);
                continue;
            }
            // the whole error: Elasticsearch puts a search's shard failures and a parse error's cause under it
            String reason = r.status() >= 400 ? r.at("/error").toString() : "";
            if (r.status() >= 500) {
                problems.add("5xx: " + p + " -> " + r.body());
            } else if (r.status() != p.status()) {
                problems.add("status " + r.status() + " instead of " + p.status() + ": " + p + " -> " + r.body());
            } else if (r.status() >= 400) {
                refusals++;
                if (reason.isBlank() || (p.names() != null && reason.contains(p.names()) == false)) {
                    problems.add("reason does not name [" + p.names() + "]: " + p + " -> " + r.body());
                }
            }
        }
        assertTrue(refusals >= 100, "at least 100 refusals probed: " + refusals);
        assertTrue(problems.isEmpty(), problems.size() + " of " + probes.size() + " probes:\n" + String.join("\n", problems));
    }
}
