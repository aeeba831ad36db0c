package org.recsys.recommend.action.e2e;

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
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.query.it.QueryCatalog.ok;

/**
 * Backfill on a segment large enough for its popularity threshold (one force-merged segment of 20,000 documents, a
 * {@code long} popularity whose range query rounds the bound): the page equals the definition computed here, both when
 * the documents above the threshold fill it and when the caps leave it short and backfill goes on below the threshold.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeSegmentBackfillIT {

    private static final int DOCS = 20_000;
    private static final int GENRES = 7;
    private static final Set<String> EXCLUDED = Set.of("b17", "b4242");

    @BeforeAll
    void load(JsonHttp http) {
        ok(http.put("/bt_items", "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},\"mappings\":{\"properties\":{"
            + "\"genre\":{\"type\":\"keyword\"},\"popularity\":{\"type\":\"long\"},\"in_stock\":{\"type\":\"boolean\"}}}}"));
        for (int from = 0; from < DOCS; from += 5000) {
            StringBuilder bulk = new StringBuilder();
            for (int i = from; i < from + 5000; i++) {
                bulk.append("{\"index\":{\"_id\":\"b").append(i).append("\"}}\n{\"genre\":\"g").append(i % GENRES)
                    .append("\",\"popularity\":").append(popularity(i)).append(",\"in_stock\":").append(inStock(i)).append("}\n");
            }
            JsonHttp.Response loaded = http.postNdjson("/bt_items/_bulk", bulk.toString());
            ok(loaded);
            assertEquals(false, loaded.at("/errors").asBoolean(), "bulk errors");
        }
        ok(http.post("/bt_items/_forcemerge?max_num_segments=1", ""));
        ok(http.post("/bt_items/_refresh", ""));
        JsonHttp.Response segments = http.get("/_cat/segments/bt_items?format=json");
        ok(segments);
        assertEquals(1, segments.json().size(), "one segment of " + DOCS + " documents: " + segments.body());
    }

    @Test
    void backfillAboveTheThresholdEqualsTheDefinition(JsonHttp http) {
        assertPage(http, 5, 40); // 7 genres × 5: the most popular documents fill the page
    }

    @Test
    void backfillThatCapsLeaveShortGoesOnBelowTheThreshold(JsonHttp http) {
        assertPage(http, 2, 40); // 7 genres × 2 = 14 < 40: every document is walked, the page stays at 14
    }

    private static void assertPage(JsonHttp http, int cap, int size) {
        List<String> seeds = List.of("b0", "b1", "b2");
        JsonHttp.Response r = http.post("/bt_items/_search", "{\"size\":" + size
            + ",\"query\":{\"ids\":{\"values\":[\"b0\",\"b1\",\"b2\"]}},\"rescore\":{\"window_size\":" + size
            + ",\"recommend_diversity\":{\"field\":\"genre\",\"max_per_value\":" + cap + ","
            + "\"backfill\":{\"size\":" + size + ",\"sort_field\":\"popularity\",\"filter\":{\"term\":{\"in_stock\":true}},"
            + "\"exclude\":[\"b17\",\"b4242\"]}}}}");
        ok(r);
        List<String> actual = new ArrayList<>();
        r.at("/hits/hits").forEach((JsonNode hit) -> actual.add(hit.path("_id").asText()));
        assertEquals(expected(seeds, cap, size), actual, r.body());
    }

    /** The seeds (any order among equal scores: sorted by id, as they score alike), then the definition of backfill. */
    private static List<String> expected(List<String> seeds, int cap, int size) {
        List<String> page = new ArrayList<>(seeds);
        Map<Integer, Integer> perGenre = new HashMap<>();
        seeds.forEach(id -> perGenre.merge(Integer.parseInt(id.substring(1)) % GENRES, 1, Integer::sum));
        List<Integer> byPopularity = new ArrayList<>();
        for (int i = 0; i < DOCS; i++) {
            byPopularity.add(i);
        }
        byPopularity.sort(Comparator.comparingLong((Integer i) -> -popularity(i)));
        for (int i : byPopularity) {
            String id = "b" + i;
            if (page.size() == size) {
                break;
            }
            if (inStock(i) == false || EXCLUDED.contains(id) || page.contains(id) || perGenre.getOrDefault(i % GENRES, 0) >= cap) {
                continue;
            }
            perGenre.merge(i % GENRES, 1, Integer::sum);
            page.add(id);
        }
        assertTrue(page.size() > seeds.size(), "backfill added documents");
        return page;
    }

    /** Distinct for every document (7919 is invertible modulo the prime 20011): one order, no ties. */
    private static long popularity(int i) {
        return (long) i * 7919 % 20011;
    }

    private static boolean inStock(int i) {
        return i % 3 != 0;
    }
}
