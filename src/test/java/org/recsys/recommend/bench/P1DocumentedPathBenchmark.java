package org.recsys.recommend.bench;

import com.fasterxml.jackson.databind.JsonNode;

import org.recsys.recommend.math.RankingMetrics;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Protocol P1 through the documented path only, as a user would run it: a blank node, the items of {@code u.item} and the
 * split's train events indexed with dynamic mappings, the model {@code PUT} (which maps what the plugin writes), one
 * {@code _train} with the defaults and one with {@code "tune": {}} (as a task, polled through {@code _tasks}), then
 * {@code _recommend} for every test user, scored here with BASELINES.md's metrics. The popularity ranking through the same
 * endpoint must reproduce the protocol's sanity value (nDCG@10 0.1515).
 *
 * <pre>
 * java -cp ... org.recsys.recommend.bench.P1DocumentedPathBenchmark [--data ../shared/datasets/ml-100k] [--split DIR]
 * </pre>
 */
public final class P1DocumentedPathBenchmark {

    private static final int DIMS = 64;
    private static final int BATCH = 50;

    private P1DocumentedPathBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path data = P1QualityBenchmark.dataFolder(args);
        String split = option(args, "--split", P1QualityBenchmark.SPLIT);
        Path splitDir = data.resolve(split); // an absolute --split stands alone (another data set's split)
        List<String[]> train = P1QualityBenchmark.read(splitDir.resolve("train.tsv"));
        List<String[]> test = P1QualityBenchmark.read(splitDir.resolve("test.tsv"));
        Path titles = splitDir.resolve("items.tsv");
        Map<String, Set<String>> heldOut = new LinkedHashMap<>();
        test.forEach(r -> heldOut.computeIfAbsent(r[0], u -> new HashSet<>()).add(r[1]));
        System.out.printf(Locale.ROOT, "P1 (%s): %d train events, %d test events, %d test users%n", split, train.size(), test.size(),
            heldOut.size());
        try (RealNode node = RealNode.start(NodeSpec.insecure().withHeap("2g"))) {
            JsonHttp http = node.http();
            boolean ownSplit = Path.of(split).isAbsolute() == false; // P1's: its items are ml-100k's u.item
            boolean content = Files.exists(titles) || ownSplit;
            Set<String> catalogue = new HashSet<>();
            if (Files.exists(titles)) {
                catalogue.addAll(loadTitles(http, titles));
            } else if (ownSplit) {
                loadItems(http, data);
            }
            if (ownSplit == false) {
                loadIds(http, train, test, catalogue); // every item of the events is in the catalogue, with a title or not
            }
            ok(http.put("/_recommend/model/p1", "{\"items\":{\"index\":\"p1_items\"" + (content ? ",\"content\":[\"title\"]" : "")
                + "},\"users\":{\"index\":\"p1_users\"},\"factors\":{\"dims\":" + DIMS + "}}"));
            if (List.of(args).contains("--choose-defaults")) {
                chooseDefaults(http, train, option(args, "--train", "{}"));
                return;
            }
            loadEvents(http, "p1_train", train);

            JsonNode popularity = train(http, "{\"events\":{\"index\":\"p1_train\"}}");
            report("popularity (sanity: 0.1515)", evaluate(http, heldOut,
                ",\"signals\":{\"popularity\":{\"weight\":1,\"normalization\":\"linear\"}}"), popularity);
            report("defaults, untuned", evaluate(http, heldOut, ""), popularity);
            JsonNode tuned = train(http, "{\"events\":{\"index\":\"p1_train\"},\"tune\":{}}");
            System.out.println("tuning chose: " + tuned.at("/tuning/chosen") + " on " + tuned.at("/tuning/validation_users")
                + " validation users" + (tuned.at("/tuning/stopped_by_max_time").asBoolean() ? " (stopped by max_time)" : ""));
            for (JsonNode row : tuned.at("/tuning/validation")) {
                String config = row.path("config").asText();
                if ((config.startsWith("als lambda") && config.contains("+") == false) || config.contains("skipped")) {
                    System.out.println("  validation: " + config + "  nDCG@10 " + row.path("ndcg@10").asText("-"));
                }
            }
            report("tuned (_train with \"tune\": {})", evaluate(http, heldOut, ""), tuned);
            System.out.println("model after tuning: " + ok(http.get("/_recommend/model/p1")).json().at("/p1/signals"));
        }
    }

    private static void report(String name, RankingMetrics m, JsonNode training) {
        System.out.printf(Locale.ROOT, "%-34s P@10 %.4f  R@10 %.4f  nDCG@10 %.4f  MAP@10 %.4f  HR@10 %.4f  coverage %d  (training "
            + "%d ms)%n", name, m.precision(), m.recall(), m.ndcg(), m.map(), m.hitRate(), m.coverage(), training.path("took").asLong());
    }

    /** Trains as a task, the way the docs show it for Kibana: start with wait_for_completion=false, then wait on _tasks. */
    private static JsonNode train(JsonHttp http, String body) {
        String task = ok(http.post("/_recommend/model/p1/_train?wait_for_completion=false", body)).json().path("task").asText();
        while (true) {
            JsonHttp.Response waited = http.get("/_tasks/" + task + "?wait_for_completion=true&timeout=50s");
            if (waited.status() == 429 || waited.status() == 408) {
                continue; // the wait timed out (Elasticsearch answers that as an error): the task is still running
            }
            JsonNode status = ok(waited).json();
            if (status.path("completed").asBoolean()) {
                if (status.has("error")) {
                    throw new IllegalStateException("training failed: " + status.path("error"));
                }
                return status.path("response");
            }
        }
    }

    /** Ranks every test user through {@code _recommend} (batches of 50), {@code extra} appended to each request. */
    static RankingMetrics evaluate(JsonHttp http, Map<String, Set<String>> heldOut, String extra) {
        RankingMetrics metrics = new RankingMetrics(10);
        List<String> users = new ArrayList<>(heldOut.keySet());
        for (int from = 0; from < users.size(); from += BATCH) {
            StringBuilder body = new StringBuilder("{\"requests\":[");
            List<String> batch = users.subList(from, Math.min(users.size(), from + BATCH));
            for (int i = 0; i < batch.size(); i++) {
                body.append(i == 0 ? "" : ",").append("{\"model\":\"p1\",\"user\":\"").append(batch.get(i))
                    .append("\",\"size\":10,\"unknown_user\":\"backfill\"").append(extra).append('}');
            }
            JsonNode responses = ok(http.post("/p1_items/_recommend", body.append("]}").toString())).json().path("responses");
            for (int i = 0; i < batch.size(); i++) {
                JsonNode entry = responses.get(i);
                if (entry.has("error")) {
                    throw new IllegalStateException("user [" + batch.get(i) + "]: " + entry.path("error"));
                }
                List<String> ranking = new ArrayList<>();
                entry.path("recommendations").forEach(r -> ranking.add(r.path("_id").asText()));
                metrics.add(ranking, heldOut.get(batch.get(i)));
            }
        }
        return metrics;
    }

    /** u.item as a user indexes a catalogue: title and genres, dynamic mappings. */
    private static void loadItems(JsonHttp http, Path data) throws IOException {
        bulkOk(http, "", P1QualityBenchmark.itemsBulk(data, "p1_items"));
    }

    /**
     * How the untuned defaults were chosen: trained with them on 80 % of P1's train file, signal sets scored on the other
     * 20 % (validation, carved per user as P1QualityBenchmark does); the test file is not read. {@code trainBody}: more of
     * the {@code _train} body (say {@code {"neighbors":{"similarity":"ease","lambda":100}}}) for a default being compared.
     */
    private static void chooseDefaults(JsonHttp http, List<String[]> train, String trainBody) {
        List<List<String[]>> carved = P1QualityBenchmark.carveValidation(train, new java.util.Random(7), 0.2);
        loadEvents(http, "p1_fit", carved.get(0));
        Map<String, Set<String>> validation = new LinkedHashMap<>();
        carved.get(1).forEach(r -> validation.computeIfAbsent(r[0], u -> new HashSet<>()).add(r[1]));
        String more = trainBody.strip().substring(1, trainBody.strip().length() - 1).strip();
        JsonNode trained = train(http, "{\"events\":{\"index\":\"p1_fit\"}" + (more.isEmpty() ? "" : "," + more) + "}");
        System.out.println("untuned training on fit: lambda " + trained.path("lambda") + ", alpha " + trained.path("alpha"));
        Map<String, String> sets = new LinkedHashMap<>();
        sets.put("model defaults", "");
        sets.put("collaborative alone", signals("\"collaborative\":{}"));
        sets.put("neighbors alone", signals("\"neighbors\":{\"weight\":1,\"normalization\":\"linear\"}"));
        for (String w : new String[] { "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2", "4", "8" }) {
            sets.put("+ neighbors linear " + w, signals("\"collaborative\":{},\"neighbors\":{\"weight\":" + w
                + ",\"normalization\":\"linear\"}"));
        }
        for (String w : new String[] { "0.25", "0.5", "1", "2" }) {
            sets.put("+ neighbors saturation " + w, signals("\"collaborative\":{},\"neighbors\":{\"weight\":" + w + "}"));
        }
        for (String w : new String[] { "0.05", "0.1", "0.3" }) {
            sets.put("+ content " + w, signals("\"collaborative\":{},\"content\":{\"fields\":[\"title\"],\"weight\":" + w + "}"));
        }
        for (String w : new String[] { "0.01", "0.05", "0.1" }) {
            sets.put("+ popularity " + w, signals("\"collaborative\":{},\"popularity\":{\"weight\":" + w + "}"));
        }
        sets.forEach((name, extra) -> report("validation: " + name, evaluate(http, validation, extra), trained));
    }

    private static String signals(String inner) {
        return ",\"signals\":{" + inner + "}";
    }

    /** A data set's {@code item<TAB>title} file as the catalogue. */
    private static Set<String> loadTitles(JsonHttp http, Path titles) throws IOException {
        Set<String> ids = new HashSet<>();
        StringBuilder bulk = new StringBuilder();
        int n = 0;
        for (String line : Files.readAllLines(titles, StandardCharsets.UTF_8)) {
            String[] p = line.split("\t", 2);
            if (p.length == 2 && ids.add(p[0])) {
                bulk.append("{\"index\":{\"_id\":").append(JsonHttp.MAPPER.writeValueAsString(p[0])).append("}}\n");
                bulk.append(JsonHttp.MAPPER.writeValueAsString(Map.of("title", p[1]))).append('\n');
                if (++n % 10_000 == 0) {
                    bulkOk(http, "/p1_items", bulk.toString());
                    bulk.setLength(0);
                }
            }
        }
        bulkOk(http, "/p1_items", bulk.toString());
        return ids;
    }

    /** The items the events name that {@code loaded} lacks, without content. */
    private static void loadIds(JsonHttp http, List<String[]> train, List<String[]> test, Set<String> loaded) throws IOException {
        Set<String> ids = new java.util.TreeSet<>();
        train.forEach(r -> ids.add(r[1]));
        test.forEach(r -> ids.add(r[1]));
        ids.removeAll(loaded);
        if (ids.isEmpty()) {
            return;
        }
        StringBuilder bulk = new StringBuilder();
        int n = 0;
        for (String id : ids) {
            bulk.append("{\"index\":{\"_id\":").append(JsonHttp.MAPPER.writeValueAsString(id)).append("}}\n{}\n");
            if (++n % 10_000 == 0) {
                bulkOk(http, "/p1_items", bulk.toString());
                bulk.setLength(0);
            }
        }
        bulkOk(http, "/p1_items", bulk.toString());
    }

    private static void loadEvents(JsonHttp http, String index, List<String[]> rows) {
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            bulk.append("{\"index\":{}}\n{\"user\":\"").append(rows.get(i)[0]).append("\",\"item\":\"").append(rows.get(i)[1])
                .append("\"}\n");
            if ((i + 1) % 10_000 == 0 || i == rows.size() - 1) {
                bulkOk(http, "/" + index, bulk.toString());
                bulk.setLength(0);
            }
        }
    }

    private static void bulkOk(JsonHttp http, String index, String ndjson) {
        JsonHttp.Response r = ok(http.postNdjson(index + "/_bulk?refresh=true", ndjson));
        if (r.json().path("errors").asBoolean()) {
            throw new IllegalStateException("bulk failed: " + r.body().substring(0, Math.min(2000, r.body().length())));
        }
    }

    static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    static JsonHttp.Response ok(JsonHttp.Response r) {
        if (r.status() >= 300) {
            throw new IllegalStateException(r.status() + ": " + r.body());
        }
        return r;
    }
}
