package org.recsys.recommend.ingest.it;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.RealNodeExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recsys.recommend.query.it.QueryCatalog.ok;

/**
 * The optional SGD nudge of {@code recommend_update} ({@code item_nudge}) on a real node: with it, the event's item moves by
 * exactly one step y + η c (1 − xᵀy) x, x the user's vector after the event's fold-in, computed here from the values read
 * back; without it (the default), items are never written.
 */
@ExtendWith(RealNodeExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ItemNudgeIT {

    private static final double RATE = 0.1;
    private final FoldInCatalogue catalogue = new FoldInCatalogue(23, 100, 4, 5, 0.5, 2.0);

    @BeforeAll
    void load(JsonHttp http) {
        catalogue.load(http, "nu_items");
        IngestFixture.usersIndex(http, "nu_users", catalogue.k);
        IngestFixture.putModel(http, "nu", IngestFixture.modelBody("nu_items", "nu_users", catalogue.k, 0.5, 2.0, 50));
        IngestFixture.refresh(http, "nu");
        IngestFixture.pipeline(http, "nu_plain", "[{\"recommend_update\":{\"model\":\"nu\"}}]");
        IngestFixture.pipeline(http, "nu_nudged", "[{\"recommend_update\":{\"model\":\"nu\",\"item_nudge\":" + RATE + "}}]");
        ok(http.put("/nu_events", "{}"));
    }

    @Test
    void aNudgeIsOneSgdStepTowardsTheUsersNewVector(JsonHttp http) {
        float[] before = factors(http, "i7");
        ok(http.post("/nu_events/_doc?pipeline=nu_nudged&refresh=true", IngestFixture.event("ann", "i7", 2.0, null, null)));
        float[] x = IngestFixture.profile(http, "nu_users", "ann").factors();
        float[] after = factors(http, "i7");
        double dot = 0;
        for (int d = 0; d < x.length; d++) {
            dot += (double) x[d] * before[d];
        }
        double scale = RATE * (1 + catalogue.alpha * 2.0) * (1 - dot);
        for (int d = 0; d < x.length; d++) {
            assertEquals(before[d] + scale * x[d], after[d], 1e-5, "component " + d);
        }
        double dotAfter = 0;
        for (int d = 0; d < x.length; d++) {
            dotAfter += (double) x[d] * after[d];
        }
        assertTrue(Math.abs(1 - dotAfter) < Math.abs(1 - dot), "the step reduces this interaction's error");
    }

    @Test
    void withoutTheOptionItemsAreNotWritten(JsonHttp http) {
        float[] before = factors(http, "i9");
        long version = http.get("/nu_items/_doc/i9").json().path("_version").asLong();
        ok(http.post("/nu_events/_doc?pipeline=nu_plain&refresh=true", IngestFixture.event("bob", "i9", 3.0, null, null)));
        assertArrayEquals(before, factors(http, "i9"));
        assertEquals(version, http.get("/nu_items/_doc/i9").json().path("_version").asLong());
    }

    @Test
    void aBadRateIsRefusedNamingTheOption(JsonHttp http) {
        for (String rate : List.of("0", "1.5", "-0.1", "\"fast\"")) {
            JsonHttp.Response r = http.put("/_ingest/pipeline/nu_bad",
                "{\"processors\":[{\"recommend_update\":{\"model\":\"nu\",\"item_nudge\":" + rate + "}}]}");
            assertEquals(400, r.status(), rate + " -> " + r.body());
            assertTrue(r.body().contains("item_nudge") && r.body().contains("learning rate"), r.body());
        }
    }

    private static float[] factors(JsonHttp http, String item) {
        JsonNode v = http.get("/nu_items/_doc/" + item + "?_source_exclude_vectors=false").json().at("/_source/factors");
        float[] f = new float[v.size()];
        for (int d = 0; d < f.length; d++) {
            f[d] = (float) v.get(d).asDouble();
        }
        return f;
    }
}
