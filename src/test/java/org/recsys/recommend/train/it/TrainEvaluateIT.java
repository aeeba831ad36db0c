package org.recsys.recommend.train.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In-cluster training and evaluation on a real node, with a planted structure the model must recover: 5 taste clusters
 * of items, users who interact (90 %) inside their own cluster.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainEvaluateIT {

    private static final int USERS = 200;
    private static final int ITEMS = 150;
    private static final int CLUSTERS = 5;
    private static final int DIMS = 8;

    private final Map<String, Set<String>> train = new HashMap<>();
    private final Map<String, Set<String>> test = new HashMap<>();

    @BeforeAll
    void load(JsonHttp http) {
        String vector = "{\"type\":\"dense_vector\",\"dims\":" + DIMS + ",\"element_type\":\"float\",\"similarity\":\"max_inner_product\"}";
        ok(http.put("/tr_items", "{\"mappings\":{\"properties\":{\"factors\":" + vector
            + ",\"neighbors\":{\"type\":\"sparse_vector\"},\"popularity\":{\"type\":\"float\"},\"cluster\":{\"type\":\"keyword\"}}}}"));
        ok(http.put("/tr_users", "{\"mappings\":{\"properties\":{\"factors\":" + vector
                + ",\"history\":{\"type\":\"object\",\"enabled\":false}}}}"));
        for (String index : List.of("tr_events", "tr_test")) {
            ok(http.put("/" + index, "{\"mappings\":{\"properties\":{\"user\":{\"type\":\"keyword\"},\"item\":{\"type\":\"keyword\"}}}}"));
        }
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            bulk.append("{\"index\":{\"_index\":\"tr_items\",\"_id\":\"i").append(i).append("\"}}\n");
            bulk.append("{\"cluster\":\"c").append(i % CLUSTERS).append("\"}\n");
        }
        // an item no event mentions, with factors from some other model: training must re-map it from its content
        bulk.append("{\"index\":{\"_index\":\"tr_items\",\"_id\":\"i999\"}}\n{\"cluster\":\"c4\",\"factors\":[9,9,9,9,9,9,9,9]}\n");
        Random random = new Random(9);
        for (int u = 0; u < USERS; u++) {
            String user = "u" + u;
            for (int n = 0; n < 25; n++) {
                int cluster = random.nextDouble() < 0.9 ? u % CLUSTERS : random.nextInt(CLUSTERS);
                String item = "i" + (cluster + CLUSTERS * random.nextInt(ITEMS / CLUSTERS));
                boolean heldOut = random.nextDouble() < 0.2;
                Map<String, Set<String>> split = heldOut ? test : train;
                boolean fresh = split.computeIfAbsent(user, x -> new HashSet<>()).add(item);
                if (fresh && (heldOut == false || train.getOrDefault(user, Set.of()).contains(item) == false)) {
                    bulk.append("{\"index\":{\"_index\":\"").append(heldOut ? "tr_test" : "tr_events").append("\"}}\n");
                    bulk.append("{\"user\":\"").append(user).append("\",\"item\":\"").append(item).append("\"}\n");
                }
            }
        }
        JsonHttp.Response loaded = http.postNdjson("/_bulk?refresh=true", bulk.toString());
        ok(loaded);
        assertEquals(false, loaded.at("/errors").asBoolean(), loaded.body());
        ok(http.put("/_recommend/model/planted",
                "{\"items\":{\"index\":\"tr_items\"},\"users\":{\"index\":\"tr_users\",\"max_history\":1000},"
            + "\"factors\":{\"dims\":" + DIMS + ",\"lambda\":5,\"alpha\":10}}"));
        JsonHttp.Response trained = http.post("/_recommend/model/planted/_train",
            "{\"events\":{\"index\":\"tr_events\"},\"als\":{\"iterations\":10,\"seed\":1},\"neighbors\":{\"k\":20},"
                + "\"content\":{\"fields\":[\"cluster\"]}}");
        ok(trained);
        assertEquals(CLUSTERS, trained.at("/content_map_features").asInt(), "one feature per cluster value: " + trained.body());
        assertEquals(USERS, trained.at("/users").asInt(), trained.body());
        assertEquals(0, trained.at("/items_not_in_catalogue").asInt(), trained.body());
        // no _refresh here: what _train wrote is searchable when it answers
        long trainedItems = train.values().stream().flatMap(Set::stream).distinct().count();
        assertEquals(ITEMS + 1 - trainedItems, trained.at("/content_mapped_items").asLong(),
            "every other item re-mapped: " + trained.body());
        String alt = TrainTasks.served(http, "planted");
        assertEquals("_alt", alt, "a first training writes the second slot and serves it");
        JsonHttp.Response withFactors = http.post("/tr_items/_count", "{\"query\":{\"exists\":{\"field\":\"factors_alt\"}}}");
        assertEquals(ITEMS + 1, withFactors.at("/count").asLong(), "trained items and re-mapped ones: " + withFactors.body());
        JsonNode remapped = http.get("/tr_items/_doc/i999?_source_exclude_vectors=false").json().at("/_source/factors_alt");
        assertTrue(remapped.get(0).asDouble() < 9, "the other model's factors are replaced: " + remapped);
        JsonHttp.Response profiles = http.post("/tr_users/_count", "{\"query\":{\"exists\":{\"field\":\"factors_alt\"}}}");
        assertEquals(USERS, profiles.at("/count").asLong(), profiles.body());
    }

    @Test
    void withWeightedRegularizationATrainedVectorIsTheFoldInOfItsHistory(JsonHttp http) {
        // ALS-WR in training and in fold-in alike: refolding a trained user's history gives back the trained vector
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            items.append("{\"index\":{\"_index\":\"tr_wr_items\",\"_id\":\"i").append(i).append("\"}}\n{}\n");
        }
        ok(http.postNdjson("/_bulk?refresh=true", items.toString()));
        ok(http.put("/_recommend/model/planted_wr", "{\"items\":{\"index\":\"tr_wr_items\"},\"users\":{\"index\":\"tr_wr_users\","
            + "\"max_history\":1000},\"factors\":{\"dims\":" + DIMS + ",\"lambda\":0.2,\"alpha\":10,\"regularization\":\"weighted\"}}"));
        ok(http.post("/_recommend/model/planted_wr/_train",
            "{\"events\":{\"index\":\"tr_events\"},\"als\":{\"iterations\":60,\"cg_steps\":8,\"seed\":1},\"neighbors\":{\"k\":0}}"));
        String field = "factors" + TrainTasks.served(http, "planted_wr");
        ok(http.put("/_ingest/pipeline/tr_wr_refold", "{\"processors\":[{\"recommend_update\":{\"model\":\"planted_wr\","
            + "\"mode\":\"profile\"}}]}"));
        for (String user : List.of("u3", "u42", "u150")) {
            JsonNode trained = http.get("/tr_wr_users/_doc/" + user + "?_source_exclude_vectors=false").json().at("/_source");
            ok(http.put("/tr_wr_users/_doc/" + user + "_refold?pipeline=tr_wr_refold&refresh=true",
                "{\"history\":" + trained.path("history") + "}"));
            JsonNode refolded = http.get("/tr_wr_users/_doc/" + user + "_refold?_source_exclude_vectors=false").json()
                .at("/_source/" + field);
            double error = 0;
            double norm = 0;
            for (int d = 0; d < DIMS; d++) {
                double t = trained.path(field).get(d).asDouble();
                error += Math.pow(t - refolded.get(d).asDouble(), 2);
                norm += t * t;
            }
            assertTrue(norm > 0, user + " was trained: " + trained);
            assertTrue(Math.sqrt(error / norm) < 1e-2, user + ": trained " + trained.path(field) + ", refolded " + refolded);
        }
    }

    @Test
    void aLambdaDerivedForOneRegularizationIsNotKeptForTheOther(JsonHttp http) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            items.append("{\"index\":{\"_index\":\"tr_sw_items\",\"_id\":\"i").append(i).append("\"}}\n{}\n");
        }
        ok(http.postNdjson("/_bulk?refresh=true", items.toString()));
        String body = "{\"items\":{\"index\":\"tr_sw_items\"},\"users\":{\"index\":\"tr_sw_users\"},\"factors\":{\"dims\":" + DIMS
            + "%s}}";
        ok(http.put("/_recommend/model/switch", String.format(java.util.Locale.ROOT, body, "")));
        ok(http.post("/_recommend/model/switch/_train", "{\"events\":{\"index\":\"tr_events\"},\"als\":{\"iterations\":2},"
            + "\"neighbors\":{\"k\":0}}"));
        JsonNode derived = http.get("/_recommend/model/switch").json().at("/switch/factors");
        assertTrue(derived.path("lambda_auto").asBoolean(), derived.toString());
        assertTrue(derived.path("lambda").asDouble() > 1, "derived from the events (per row): " + derived);
        ok(http.put("/_recommend/model/switch", String.format(java.util.Locale.ROOT, body, ",\"regularization\":\"weighted\"")));
        JsonNode switched = http.get("/_recommend/model/switch").json().at("/switch/factors");
        assertEquals("weighted", switched.path("regularization").asText());
        assertEquals(0.1, switched.path("lambda").asDouble(), 1e-12,
            "a per-row λ is not a per-interaction one: the default until the next training derives it again: " + switched);
    }

    @Test
    void trainedRecommendationsRecoverThePlantedClusters(JsonHttp http) {
        int inCluster = 0;
        int total = 0;
        for (int u = 0; u < USERS; u += 10) {
            JsonHttp.Response r = http.post("/tr_items/_search",
                    "{\"size\":10,\"query\":{\"recommend\":{\"model\":\"planted\",\"user\":\"u" + u
                + "\",\"signals\":{\"collaborative\":{}}}}}");
            ok(r);
            for (JsonNode hit : r.at("/hits/hits")) {
                int item = Integer.parseInt(hit.path("_id").asText().substring(1));
                inCluster += item % CLUSTERS == u % CLUSTERS ? 1 : 0;
                total++;
            }
        }
        assertTrue(total > 0);
        // chance is 1/5; a recovered structure puts nearly everything in the user's own cluster
        assertTrue(inCluster / (double) total > 0.85, inCluster + " of " + total + " in-cluster");
    }

    @Test
    void newItemsGetFactorsFromTheirContent(JsonHttp http) {
        String served = "factors" + TrainTasks.served(http, "planted"); // another test may have trained it again
        ok(http.put("/_ingest/pipeline/tr_new_items",
            "{\"processors\":[{\"recommend_update\":{\"model\":\"planted\",\"mode\":\"item\"}}]}"));
        JsonHttp.Response indexed = http.postNdjson("/tr_items/_bulk?pipeline=tr_new_items&refresh=true", ""
            + "{\"index\":{\"_id\":\"new3\"}}\n{\"cluster\":\"c3\"}\n"
            + "{\"index\":{\"_id\":\"unknown\"}}\n{\"cluster\":\"zz\"}\n"
            + "{\"index\":{\"_id\":\"given\"}}\n{\"cluster\":\"c1\",\"factors\":[1,0,0,0,0,0,0,0]}\n");
        ok(indexed);
        assertEquals(false, indexed.at("/errors").asBoolean(), indexed.body());
        // the map learned that a c3 item's factors are those c3's items share: the new item is closest to cluster 3's mean
        JsonNode fresh = http.get("/tr_items/_doc/new3?_source_exclude_vectors=false").json().path("_source").path(served);
        assertEquals(DIMS, fresh.size(), fresh.toString());
        float[][] means = new float[CLUSTERS][DIMS];
        List<String> trainedIds = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            trainedIds.add("\"i" + i + "\"");
        }
        JsonHttp.Response all = http.post("/tr_items/_search", "{\"size\":" + ITEMS + ",\"query\":{\"ids\":{\"values\":" + trainedIds
            + "}},\"_source\":{\"includes\":[\"" + served + "\"],\"exclude_vectors\":false}}");
        ok(all);
        for (JsonNode hit : all.at("/hits/hits")) {
            int cluster = Integer.parseInt(hit.path("_id").asText().substring(1)) % CLUSTERS;
            for (int d = 0; d < DIMS; d++) {
                means[cluster][d] += (float) hit.at("/_source/" + served + "/" + d).asDouble();
            }
        }
        int closest = -1;
        double best = -2;
        for (int c = 0; c < CLUSTERS; c++) {
            double cosine = cosine(fresh, means[c]);
            if (cosine > best) {
                best = cosine;
                closest = c;
            }
        }
        assertEquals(3, closest, "cosine to cluster 3's mean " + cosine(fresh, means[3]) + ", best " + best);
        assertTrue(best > 0.9, "cosine " + best);
        JsonNode unknown = http.get("/tr_items/_doc/unknown?_source_exclude_vectors=false").json().path("_source");
        assertTrue(unknown.has(served) == false, "no known word: left without factors, not given the mean item: " + unknown);
        JsonNode given = http.get("/tr_items/_doc/given?_source_exclude_vectors=false").json().path("_source");
        assertEquals(1.0, given.path("factors").get(0).asDouble(), 1e-6, "factors sent with the item are kept");
        assertEquals(given.path("factors"), given.path(served), "and served: sent under the configured name, they go to the "
            + "served slot");
        ok(http.delete("/tr_items/_doc/new3?refresh=true"));
        ok(http.delete("/tr_items/_doc/unknown?refresh=true"));
        ok(http.delete("/tr_items/_doc/given?refresh=true"));

        ok(http.put("/_recommend/model/untrained", "{\"items\":{\"index\":\"tr_items\"},\"users\":{\"index\":\"tr_users\"},"
            + "\"factors\":{\"dims\":" + DIMS + "}}"));
        ok(http.put("/_ingest/pipeline/tr_untrained",
            "{\"processors\":[{\"recommend_update\":{\"model\":\"untrained\",\"mode\":\"item\"}}]}"));
        JsonHttp.Response refused = http.put("/tr_items/_doc/x?pipeline=tr_untrained", "{\"cluster\":\"c2\"}");
        assertEquals(400, refused.status(), refused.body());
        assertTrue(refused.body().contains("[model] [untrained] has no content map"), refused.body());
        JsonHttp.Response badMode = http.put("/_ingest/pipeline/tr_bad", "{\"processors\":[{\"recommend_update\":{\"model\":\"planted\","
            + "\"mode\":\"items\"}}]}");
        assertEquals(400, badMode.status(), badMode.body());
        assertTrue(badMode.body().contains("must be [event], [profile] or [item]"), badMode.body());
    }

    private static double cosine(JsonNode a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < b.length; i++) {
            dot += a.get(i).asDouble() * b[i];
            na += a.get(i).asDouble() * a.get(i).asDouble();
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void eventsWithDocValuesTrainTheSameModelAsEventsReadFromTheirSource(JsonHttp http) {
        // the same weighted events twice, in the same order: mapped with doc values (keyword, float), and dynamically (user
        // and item become text fields, without doc values: read from _source)
        ok(http.put("/tr_events_dv", "{\"mappings\":{\"properties\":{\"user\":{\"type\":\"keyword\"},\"item\":{\"type\":\"keyword\"},"
            + "\"weight\":{\"type\":\"float\"}}}}"));
        ok(http.put("/tr_events_text", "{}"));
        Random random = new Random(3);
        StringBuilder events = new StringBuilder();
        for (int u = 0; u < 40; u++) {
            for (int n = 0; n < 12; n++) {
                events.append("{\"index\":{}}\n{\"user\":\"u").append(u).append("\",\"item\":\"i").append(random.nextInt(ITEMS))
                    .append("\",\"weight\":").append(1 + random.nextInt(3)).append("}\n");
            }
        }
        for (int n = 0; n < 5; n++) { // events without a weight count as weight 1 either way
            events.append("{\"index\":{}}\n{\"user\":\"u").append(n).append("\",\"item\":\"i").append(n * 11).append("\"}\n");
        }
        for (String index : List.of("tr_events_dv", "tr_events_text")) {
            JsonHttp.Response loaded = http.postNdjson("/" + index + "/_bulk?refresh=true", events.toString());
            ok(loaded);
            assertEquals(false, loaded.at("/errors").asBoolean(), loaded.body());
        }
        String body = "{\"events\":{\"index\":\"%s\"},\"als\":{\"iterations\":3,\"seed\":1},\"neighbors\":{\"k\":5},"
            + "\"content\":{\"fields\":[]}}";
        bareModel(http, "from_dv");
        bareModel(http, "from_source");
        JsonHttp.Response fromDocValues = http.post("/_recommend/model/from_dv/_train", body.formatted("tr_events_dv"));
        JsonHttp.Response fromSource = http.post("/_recommend/model/from_source/_train", body.formatted("tr_events_text"));
        ok(fromDocValues);
        ok(fromSource);
        assertEquals("doc_values", fromDocValues.at("/events_read_from").asText(), fromDocValues.body());
        assertEquals("_source", fromSource.at("/events_read_from").asText(), fromSource.body());
        for (JsonHttp.Response trained : List.of(fromDocValues, fromSource)) {
            assertEquals(485, trained.at("/events").asInt(), trained.body());
            assertEquals(0, trained.at("/skipped_events").asInt(), trained.body());
        }
        assertEquals("_alt", TrainTasks.served(http, "from_dv"));
        assertEquals("_alt", TrainTasks.served(http, "from_source"));
        for (int i = 0; i < ITEMS; i += 7) {
            JsonNode a = http.get("/tr_items_from_dv/_doc/i" + i + "?_source_exclude_vectors=false").json().at("/_source/factors_alt");
            JsonNode b = http.get("/tr_items_from_source/_doc/i" + i + "?_source_exclude_vectors=false").json()
                .at("/_source/factors_alt");
            assertEquals(DIMS, a.size(), "i" + i + ": " + a);
            for (int d = 0; d < DIMS; d++) {
                assertEquals(b.get(d).asDouble(), a.get(d).asDouble(), 1e-6, "i" + i + " dim " + d + ": same events, same model");
            }
        }
        // a user id longer than its keyword's ignore_above has no doc value, only a source: all events are read from _source
        ok(http.put("/tr_events_long_ids", "{\"mappings\":{\"properties\":{\"user\":{\"type\":\"keyword\",\"ignore_above\":8},"
            + "\"item\":{\"type\":\"keyword\"},\"weight\":{\"type\":\"float\"}}}}"));
        String longId = "{\"index\":{}}\n{\"user\":\"a-long-user-id\",\"item\":\"i3\"}\n";
        ok(http.postNdjson("/tr_events_long_ids/_bulk?refresh=true", events + longId));
        JsonHttp.Response longIds = http.post("/_recommend/model/from_dv/_train", body.formatted("tr_events_long_ids"));
        ok(longIds);
        assertEquals("_source", longIds.at("/events_read_from").asText(), longIds.body());
        assertEquals(486, longIds.at("/events").asInt(), "the long id's event is not lost: " + longIds.body());
        assertEquals(41, longIds.at("/users").asInt(), longIds.body());
        // a bad weight read from doc values names the field, and the event by its user and item (no _id is read)
        ok(http.put("/tr_events_dv_bad", "{\"mappings\":{\"properties\":{\"user\":{\"type\":\"keyword\"},\"item\":{\"type\":\"keyword\"},"
            + "\"weight\":{\"type\":\"float\"}}}}"));
        ok(http.postNdjson("/tr_events_dv_bad/_bulk?refresh=true", "{\"index\":{}}\n{\"user\":\"u1\",\"item\":\"i2\",\"weight\":-2}\n"));
        JsonHttp.Response bad = http.post("/_recommend/model/from_dv/_train", body.formatted("tr_events_dv_bad"));
        assertBad(bad, "[events.weight] of the event of user [u1] on item [i2] must be a finite number >= 0, got [-2.0]");
        dropBareModel(http, "from_dv");
        dropBareModel(http, "from_source");
        ok(http.delete("/tr_events_dv,tr_events_text,tr_events_dv_bad,tr_events_long_ids"));
    }

    @Test
    void aCatalogueOfManyPagesIsRewrittenWholeAndSearchableWhenTrainingAnswers(JsonHttp http) {
        // 2,100 items: pages of 1,000, then the last (100), whose bulk refreshes
        int items = 2_100;
        String vector = "{\"type\":\"dense_vector\",\"dims\":" + DIMS + ",\"similarity\":\"max_inner_product\"}";
        ok(http.put("/tr_items_paged", "{\"mappings\":{\"properties\":{\"factors\":" + vector
            + ",\"neighbors\":{\"type\":\"sparse_vector\"},\"popularity\":{\"type\":\"float\"},\"title\":{\"type\":\"keyword\"}}}}"));
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < items; i++) {
            bulk.append("{\"index\":{\"_index\":\"tr_items_paged\",\"_id\":\"p").append(i).append("\"}}\n{\"title\":\"t").append(i)
                .append("\"}\n");
            for (int n = 0; n < 3; n++) { // three users per item, each user spanning pages: every item is trained
                bulk.append("{\"index\":{\"_index\":\"tr_events_paged\"}}\n{\"user\":\"v").append((i * 7 + n * 131) % 300)
                    .append("\",\"item\":\"p").append(i).append("\"}\n");
            }
        }
        JsonHttp.Response loaded = http.postNdjson("/_bulk?refresh=true", bulk.toString());
        ok(loaded);
        assertEquals(false, loaded.at("/errors").asBoolean());
        ok(http.put("/_recommend/model/paged", "{\"items\":{\"index\":\"tr_items_paged\"},\"users\":{\"index\":\"tr_users_paged\"},"
            + "\"factors\":{\"dims\":" + DIMS + ",\"lambda\":5,\"alpha\":10}}"));
        JsonHttp.Response trained = http.post("/_recommend/model/paged/_train",
            "{\"events\":{\"index\":\"tr_events_paged\"},\"als\":{\"iterations\":2,\"seed\":1},\"neighbors\":{\"k\":5}}");
        ok(trained);
        assertEquals(items, trained.at("/items").asInt(), trained.body());
        // no _refresh: the last page's bulk refreshed after every other page was written
        JsonHttp.Response written = http.post("/tr_items_paged/_count", "{\"query\":{\"bool\":{\"filter\":["
            + "{\"exists\":{\"field\":\"factors_alt\"}},{\"term\":{\"popularity_alt\":3}},{\"exists\":{\"field\":\"title\"}}]}}}");
        assertEquals(items, written.at("/count").asLong(), "every item with its factors, popularity and title: " + written.body());
        ok(http.delete("/_recommend/model/paged"));
        ok(http.delete("/tr_items_paged,tr_users_paged,tr_events_paged"));
    }

    @Test
    void anotherVectorFieldOfTheItemsSurvivesTraining(JsonHttp http) {
        // items with a vector of their own (an embedding): the training reads them with their vectors and keeps that one
        String factors = "{\"type\":\"dense_vector\",\"dims\":" + DIMS + ",\"similarity\":\"max_inner_product\"}";
        ok(http.put("/tr_items_embedded", "{\"mappings\":{\"properties\":{\"factors\":" + factors + ",\"neighbors\":{\"type\":"
            + "\"sparse_vector\"},\"popularity\":{\"type\":\"float\"},\"embedding\":{\"type\":\"dense_vector\",\"dims\":3},"
            + "\"tags\":{\"type\":\"sparse_vector\"}}}}"));
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            items.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{\"embedding\":[").append(i).append(",1,2],")
                .append("\"tags\":{\"t").append(i % 3).append("\":0.5}}\n");
        }
        ok(http.postNdjson("/tr_items_embedded/_bulk?refresh=true", items.toString()));
        ok(http.put("/_recommend/model/embedded", "{\"items\":{\"index\":\"tr_items_embedded\"},\"users\":{\"index\":"
            + "\"tr_users_embedded\"},\"factors\":{\"dims\":" + DIMS + ",\"lambda\":5,\"alpha\":10}}"));
        ok(http.post("/_recommend/model/embedded/_train", "{\"events\":{\"index\":\"tr_events\"},\"als\":{\"iterations\":2,"
            + "\"seed\":1},\"neighbors\":{\"k\":5},\"content\":{\"fields\":[]}}"));
        JsonNode item = http.get("/tr_items_embedded/_doc/i7?_source_exclude_vectors=false").json().path("_source");
        assertEquals(DIMS, item.path("factors_alt").size(), item.toString());
        assertEquals(7.0, item.path("embedding").path(0).asDouble(), 0, "the item's own vector is kept: " + item);
        assertEquals(0.5, item.path("tags").path("t1").asDouble(), 1e-6, "and its own sparse vector: " + item);
        ok(http.delete("/_recommend/model/embedded"));
        ok(http.delete("/tr_items_embedded,tr_users_embedded"));
    }

    @Test
    void retrainingReplacesNeighborsInsteadOfMergingThem(JsonHttp http) {
        // a second model on copies of the items: train with k = 20, then k = 2; the second training's neighbors alone remain
        bareModel(http, "retrained");
        String body = "{\"events\":{\"index\":\"tr_events\"},\"als\":{\"iterations\":2,\"seed\":1},\"neighbors\":{\"k\":%d},"
            + "\"content\":{\"fields\":[]}}";
        ok(http.post("/_recommend/model/retrained/_train", body.formatted(20)));
        int before = http.get("/tr_items_retrained/_doc/i0?_source_exclude_vectors=false").json().at("/_source/neighbors_alt").size();
        assertTrue(before > 2, "k = 20 gave " + before + " neighbors");
        // two more: the third training writes the slot of the first again
        ok(http.post("/_recommend/model/retrained/_train", body.formatted(3)));
        ok(http.post("/_recommend/model/retrained/_train", body.formatted(2)));
        assertEquals("_alt", TrainTasks.served(http, "retrained"));
        JsonNode after = http.get("/tr_items_retrained/_doc/i0?_source_exclude_vectors=false").json().at("/_source/neighbors_alt");
        assertEquals(2, after.size(), "the k = 2 training's neighbors only, not merged with the k = 20 ones: " + after);
        dropBareModel(http, "retrained");
    }

    @Test
    void itemsOutsideTheTrainingLoseAnEarlierTrainingsNeighborsAndPopularity(JsonHttp http) {
        bareModel(http, "subset");
        String body = "{\"events\":{\"index\":\"tr_events\"%s},\"als\":{\"iterations\":2,\"seed\":1},\"neighbors\":{\"k\":10}}";
        ok(http.post("/_recommend/model/subset/_train", body.formatted("")));
        JsonNode before = http.get("/tr_items_subset/_doc/i1?_source_exclude_vectors=false").json().path("_source");
        assertTrue(before.path("neighbors_alt").size() > 0 && before.path("popularity_alt").asInt() > 0, before.toString());
        // the slot of the first training is served, the next writes slot 0: train on everything once more, so that the
        // subset's training rewrites the slot that holds a full training's lists
        ok(http.post("/_recommend/model/subset/_train", body.formatted("")));
        assertEquals("", TrainTasks.served(http, "subset"));
        StringBuilder cluster0 = new StringBuilder();
        for (int i = 0; i < ITEMS; i += CLUSTERS) {
            cluster0.append(cluster0.isEmpty() ? "" : ",").append("\"i").append(i).append("\"");
        }
        ok(http.post("/_recommend/model/subset/_train", body.formatted(",\"query\":{\"terms\":{\"item\":[" + cluster0 + "]}}")));
        JsonNode outside = http.get("/tr_items_subset/_doc/i1?_source_exclude_vectors=false").json().path("_source");
        assertEquals("_alt", TrainTasks.served(http, "subset"));
        assertTrue(outside.path("neighbors_alt").isMissingNode(), "an earlier training's neighbors are gone: " + outside);
        assertTrue(outside.path("popularity_alt").isMissingNode(), "and its popularity: " + outside);
        assertEquals(outside.path("factors"), outside.path("factors_alt"), "without a content map the served factors stay: " + outside);
        assertEquals(DIMS, outside.path("factors_alt").size(), outside.toString());
        JsonNode inside = http.get("/tr_items_subset/_doc/i0?_source_exclude_vectors=false").json().path("_source");
        assertTrue(inside.path("neighbors_alt").size() > 0, inside.toString());
        inside.path("neighbors_alt").fieldNames().forEachRemaining(n -> assertEquals(0, Integer.parseInt(n.substring(1)) % CLUSTERS, n));
        dropBareModel(http, "subset");
    }

    @Test
    void easeNeighborsStayInsideThePlantedClusters(JsonHttp http) {
        assertNeighborsInsideThePlantedClusters(http, "eased", "ease");
    }

    @Test
    void slimNeighborsStayInsideThePlantedClusters(JsonHttp http) {
        assertNeighborsInsideThePlantedClusters(http, "slimmed", "slim");
    }

    /** Trains a model with {@code similarity} neighbors: its positive weights must link items of the same cluster. */
    private void assertNeighborsInsideThePlantedClusters(JsonHttp http, String model, String similarity) {
        bareModel(http, model);
        ok(http.post("/_recommend/model/" + model + "/_train", "{\"events\":{\"index\":\"tr_events\"},\"als\":{\"iterations\":2,"
            + "\"seed\":1},\"neighbors\":{\"k\":10,\"similarity\":\"" + similarity + "\",\"lambda\":20},\"content\":{\"fields\":[]}}"));
        int inCluster = 0;
        int total = 0;
        for (int i = 0; i < ITEMS; i += 7) {
            JsonNode neighbors = http.get("/tr_items_" + model + "/_doc/i" + i + "?_source_exclude_vectors=false").json()
                .at("/_source/neighbors_alt");
            assertTrue(neighbors.size() > 0 && neighbors.size() <= 10, "i" + i + ": " + neighbors);
            for (var entry : (Iterable<java.util.Map.Entry<String, JsonNode>>) neighbors::fields) {
                assertTrue(entry.getValue().asDouble() > 0, similarity + " weights kept are positive: " + neighbors);
                inCluster += Integer.parseInt(entry.getKey().substring(1)) % CLUSTERS == i % CLUSTERS ? 1 : 0;
                total++;
            }
        }
        // 90 % of a user's events are in their cluster: the strongest weights link items of the same cluster
        assertTrue(inCluster / (double) total > 0.8, inCluster + " of " + total + " " + similarity + " neighbors in the item's cluster");
        dropBareModel(http, model);
    }

    @Test
    void trainingWritesNeighborsPopularityHistoriesAndTheGramian(JsonHttp http) {
        String alt = TrainTasks.served(http, "planted"); // another test may have trained it again
        JsonNode item = http.get("/tr_items/_doc/i0?_source_exclude_vectors=false").json().path("_source");
        assertEquals(DIMS, item.path("factors" + alt).size(), item.toString());
        assertTrue(item.path("neighbors" + alt).size() > 0 && item.path("neighbors" + alt).size() <= 20, item.toString());
        int expectedPopularity = (int) train.values().stream().filter(items -> items.contains("i0")).count();
        assertEquals(expectedPopularity, item.path("popularity" + alt).asInt());
        JsonNode user = http.get("/tr_users/_doc/u3?_source_exclude_vectors=false").json().path("_source");
        Set<String> history = new HashSet<>();
        user.path("history").forEach(h -> history.add(h.path("item").asText()));
        assertEquals(train.get("u3"), history);
        JsonHttp.Response model = http.get("/_recommend/model/planted?include_gramian=true");
        assertEquals(DIMS * DIMS, model.at("/planted/state/gramian").size(), model.body());
        assertEquals(ITEMS, model.at("/planted/state/items").asInt(), model.body());
    }

    @Test
    void popularityEvaluationMatchesMetricsComputedHere(JsonHttp http) {
        JsonHttp.Response evaluated = http.post("/_recommend/model/planted/_evaluate", "{\"test\":{\"index\":\"tr_test\"},\"k\":5,"
            + "\"configs\":{\"pop\":{\"signals\":{\"popularity\":{\"weight\":1,\"normalization\":\"linear\"}}},"
            + "\"als\":{\"signals\":{\"collaborative\":{}}}}}");
        ok(evaluated);
        // brute force: rank items by training popularity (ties by item number, as the index holds them in id order), skip seen
        Map<String, Integer> popularity = new HashMap<>();
        train.values().forEach(items -> items.forEach(i -> popularity.merge(i, 1, Integer::sum)));
        List<String> byPopularity = new ArrayList<>(popularity.keySet());
        byPopularity.sort(
            Comparator.comparingInt((String i) -> -popularity.get(i)).thenComparingInt(i -> Integer.parseInt(i.substring(1)))
        );
        double hits = 0;
        int users = 0;
        for (Map.Entry<String, Set<String>> e : test.entrySet()) {
            Set<String> relevant = new HashSet<>(e.getValue());
            relevant.removeAll(train.getOrDefault(e.getKey(), Set.of()));
            if (relevant.isEmpty() || train.containsKey(e.getKey()) == false) {
                continue;
            }
            List<String> top = byPopularity.stream().filter(i -> train.get(e.getKey()).contains(i) == false).limit(5).toList();
            hits += top.stream().filter(relevant::contains).count() > 0 ? 1 : 0;
            users++;
        }
        JsonNode pop = evaluated.at("/configs/pop");
        assertEquals(0, pop.path("failed_users").asInt(), evaluated.body());
        assertTrue(users > 0);
        assertEquals(hits / users, pop.path("hit_rate").asDouble(), 0.05, "popularity hit rate, brute force " + hits / users);
        assertTrue(evaluated.at("/configs/als/ndcg").asDouble() > 2 * pop.path("ndcg").asDouble(), evaluated.body());
    }

    @Test
    void asynchronousTrainingIsATask(JsonHttp http) throws InterruptedException {
        // with the content map: a version trained without one has none (the item mode of another test needs it)
        JsonHttp.Response started = http.post("/_recommend/model/planted/_train?wait_for_completion=false",
            "{\"events\":{\"index\":\"tr_events\"},\"als\":{\"iterations\":5,\"seed\":1},\"neighbors\":{\"k\":20},"
                + "\"content\":{\"fields\":[\"cluster\"]}}");
        ok(started);
        String task = started.at("/task").asText();
        assertTrue(task.contains(":"), started.body());
        JsonHttp.Response status = null;
        for (int attempt = 0; attempt < 120; attempt++) {
            status = http.get("/_tasks/" + task);
            if (status.status() == 200 && status.at("/completed").asBoolean()) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals(200, status.status(), status.body());
        assertTrue(status.at("/completed").asBoolean(), status.body());
        assertEquals(USERS, status.at("/response/users").asInt(), status.body());
    }

    @Test
    void badTrainingRequestsAre400sNamingTheField(JsonHttp http) {
        assertBad(http.post("/_recommend/model/planted/_train", "{\"events\":{\"index\":\"tr_events\"},\"als\":{\"iterations\":0}}"),
                "[als.iterations]");
        assertBad(http.post("/_recommend/model/planted/_train", "{\"events\":{\"index\":\"tr_events\"},\"als\":{\"factors\":3}}"),
                "[als.factors]");
        assertBad(http.post("/_recommend/model/planted/_train", "{\"events\":{\"index\":\"tr_events\"},\"als\":{\"lambda\":-1}}"),
                "[als.lambda]");
        assertBad(http.post("/_recommend/model/planted/_train", "{\"events\":{\"index\":\"tr_events\"},\"nope\":1}"), "[nope]");
        String train = "{\"events\":{\"index\":\"tr_events\"},\"neighbors\":";
        assertBad(http.post("/_recommend/model/planted/_train", train + "{\"k\":-1}}"), "[neighbors.k]");
        assertBad(http.post("/_recommend/model/planted/_train", train + "{\"similarity\":\"jaccard\"}}"), "[neighbors.similarity]");
        assertBad(http.post("/_recommend/model/planted/_train", train + "{\"lambda\":50}}"), "[neighbors.lambda]");
        assertBad(http.post("/_recommend/model/planted/_train", train + "{\"similarity\":\"ease\",\"lambda\":0}}"),
            "[neighbors.lambda]");
        assertBad(http.post("/_recommend/model/planted/_train", train + "{\"similarity\":\"ease\",\"lambda\":\"big\"}}"), "lambda");
        assertBad(http.post("/_recommend/model/planted/_train", train + "{\"similarity\":\"slim\",\"lambda\":-5}}"),
            "[neighbors.lambda]");
        String events = "{\"events\":{\"index\":\"tr_events\"},\"content\":";
        assertBad(http.post("/_recommend/model/planted/_train", events + "{\"fields\":[\"cluster\"],\"lambda\":0}}"), "[content.lambda]");
        assertBad(http.post("/_recommend/model/planted/_train", events + "{\"fields\":[\"cluster\"],\"min_items\":0}}"),
            "[content.min_items]");
        assertBad(http.post("/_recommend/model/planted/_train", events + "{\"fields\":[\"cluster\"],\"max_features\":0}}"),
            "[content.max_features]");
        assertBad(http.post("/_recommend/model/planted/_train", events + "{\"fields\":\"cluster\",\"colour\":1}}"), "[colour]");
        assertBad(http.post("/_recommend/model/planted/_train", "{\"als\":{}}"), "[events.index]");
        assertBad(http.post("/_recommend/model/planted/_evaluate", "{\"test\":{\"index\":\"tr_test\"},\"k\":0}"), "[k]");
        assertBad(http.post("/_recommend/model/planted/_evaluate", "{\"k\":5}"), "[test]");
        // a config that is no recommend query fails once, naming it, before any user is scored (it failed per test user, each
        // failure recursing into the next user: enough test users overflowed the stack, which stops the node)
        assertBad(http.post("/_recommend/model/planted/_evaluate", "{\"test\":{\"index\":\"tr_test\"},"
            + "\"configs\":{\"fine\":{},\"bad\":{\"signals\":{\"bogus\":{}}}}}"), "[configs.bad]");
        JsonHttp.Response unknown = http.post("/_recommend/model/nope/_train", "{\"events\":{\"index\":\"tr_events\"}}");
        assertTrue(unknown.status() == 400 || unknown.status() == 404, unknown.body());
        assertTrue(unknown.body().contains("[model]"), unknown.body());
    }

    @Test
    void aSeedFixesEverythingATrainingWrites(JsonHttp http) {
        // 64 factors: the SIMD path of the solver's dot products (8 would stay within one lane group's tail)
        bareModel(http, "seeded", 64);
        String train = "{\"events\":{\"index\":\"tr_events\"},\"als\":{\"factors\":64,\"iterations\":5,\"seed\":3},"
            + "\"neighbors\":{\"k\":10}}";
        ok(http.post("/_recommend/model/seeded/_train", train));
        String items = written(http, "tr_items_seeded", "i", ITEMS, "factors_alt", "neighbors_alt", "popularity_alt");
        String users = written(http, "tr_users_seeded", "u", USERS, "factors_alt", "history");
        ok(http.post("/_recommend/model/seeded/_train", train));
        assertEquals("", TrainTasks.served(http, "seeded"), "the second training serves the other slot");
        assertEquals(items, written(http, "tr_items_seeded", "i", ITEMS, "factors", "neighbors", "popularity"),
            "items (factors, neighbors, popularity) of two trainings");
        assertEquals(users, written(http, "tr_users_seeded", "u", USERS, "factors", "history"), "users (factors, histories) of two "
            + "trainings");
        assertTrue(items.contains(" [") && users.contains(" [{"), "vectors and histories were read back: " + users.substring(0, 200));
        dropBareModel(http, "seeded");
    }

    @Test
    void aTrainingWhoseWritesFailKeepsThePreviousContentMap(JsonHttp http) {
        // the map is fitted while the documents are written: it must still only be stored once every write succeeded
        bareModel(http, "mapkept");
        StringBuilder clusters = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            clusters.append("{\"update\":{\"_id\":\"i").append(i).append("\"}}\n{\"doc\":{\"cluster\":\"c").append(i % CLUSTERS)
                .append("\"}}\n");
        }
        ok(http.postNdjson("/tr_items_mapkept/_bulk?refresh=true", clusters.toString()));
        String train = "{\"events\":{\"index\":\"tr_events\"},\"als\":{\"iterations\":3,\"seed\":%d},"
            + "\"content\":{\"fields\":[\"cluster\"]}}";
        ok(http.post("/_recommend/model/mapkept/_train", train.formatted(1)));
        JsonHttp.Response stored = http.get("/recommend-content-maps/_doc/mapkept%231"); // the model's map for slot 1
        ok(stored);
        // a users index that refuses writes (its mapping is fine, so the training starts): the users' bulk fails, the items'
        // succeeds
        ok(http.put("/_recommend/model/mapkept", "{\"items\":{\"index\":\"tr_items_mapkept\"},\"users\":{\"index\":"
            + "\"tr_users_mapkept_bad\"},\"factors\":{\"dims\":" + DIMS + ",\"lambda\":5,\"alpha\":10}}"));
        ok(http.put("/tr_users_mapkept_bad/_settings", "{\"index.blocks.write\":true}"));
        JsonHttp.Response failed = http.post("/_recommend/model/mapkept/_train", train.formatted(2));
        assertTrue(failed.status() >= 400 && failed.body().contains("training wrote partially"), failed.body());
        JsonHttp.Response after = http.get("/recommend-content-maps/_doc/mapkept%231");
        assertEquals(404, http.get("/recommend-content-maps/_doc/mapkept%230").status(), "none stored for the slot not switched to");
        ok(after);
        assertEquals(stored.json().at("/_source"), after.json().at("/_source"), "the first training's map is still the stored one");
        assertEquals(stored.json().at("/_seq_no"), after.json().at("/_seq_no"), "and it was not rewritten");
        dropBareModel(http, "mapkept");
        ok(http.delete("/tr_users_mapkept_bad"));
    }

    /** The values of {@code fields} of documents prefix0..prefix(n-1), vectors included, as one string. */
    private static String written(JsonHttp http, String index, String prefix, int n, String... fields) {
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ids.append(i == 0 ? "" : ",").append('"').append(prefix).append(i).append('"');
        }
        JsonHttp.Response response = http.post("/" + index + "/_mget?_source_exclude_vectors=false", "{\"ids\":[" + ids + "]}");
        ok(response);
        StringBuilder sources = new StringBuilder();
        response.json().path("docs").forEach(doc -> {
            sources.append(doc.path("_id").asText());
            for (String field : fields) {
                sources.append(' ').append(canonical(doc.path("_source").path(field)));
            }
            sources.append('\n');
        });
        return sources.toString();
    }

    /** A value as JSON with object keys sorted: a history entry is the same whichever order its keys were written in. */
    private static String canonical(JsonNode value) {
        try {
            Object plain = JsonHttp.MAPPER.treeToValue(value, Object.class);
            return JsonHttp.MAPPER.copy().configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                .writeValueAsString(plain);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    /** A model of its own on a copy of the catalogue's ids (no fields): items tr_items_{model}, users tr_users_{model}. */
    private static void bareModel(JsonHttp http, String model) {
        bareModel(http, model, DIMS);
    }

    private static void bareModel(JsonHttp http, String model, int dims) {
        String vector = "{\"type\":\"dense_vector\",\"dims\":" + dims + ",\"similarity\":\"max_inner_product\"}";
        ok(http.put("/tr_items_" + model, "{\"mappings\":{\"properties\":{\"factors\":" + vector
            + ",\"neighbors\":{\"type\":\"sparse_vector\"},\"popularity\":{\"type\":\"float\"}}}}"));
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            items.append("{\"index\":{\"_id\":\"i").append(i).append("\"}}\n{}\n");
        }
        ok(http.postNdjson("/tr_items_" + model + "/_bulk?refresh=true", items.toString()));
        ok(http.put("/_recommend/model/" + model, "{\"items\":{\"index\":\"tr_items_" + model + "\"},\"users\":{\"index\":\"tr_users_"
            + model + "\"},\"factors\":{\"dims\":" + dims + ",\"lambda\":5,\"alpha\":10}}"));
    }

    private static void dropBareModel(JsonHttp http, String model) {
        ok(http.delete("/_recommend/model/" + model));
        ok(http.delete("/tr_items_" + model + ",tr_users_" + model));
    }

    private static void assertBad(JsonHttp.Response response, String field) {
        assertEquals(400, response.status(), response.body());
        assertTrue(response.body().contains(field), field + " not named in " + response.body());
    }

    private static void ok(JsonHttp.Response response) {
        assertTrue(response.status() / 100 == 2, response.status() + " " + response.body());
    }
}
