package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ContentToFactorsTests {

    @Test
    void tokensAreFieldScopedLowerCasedWords() {
        assertEquals(List.of("genres:fi", "genres:sci", "genres:thriller", "title:1995", "title:heat"),
            ContentFeatures.tokens(Map.of("title", List.of("Heat (1995)"), "genres", List.of("Sci-Fi", "Thriller"))));
    }

    @Test
    void theVocabularyKeepsSharedFeaturesMostFrequentFirstAndIgnoresTheRest() {
        ContentFeatures features = ContentFeatures.fit(List.of(
            Map.of("g", List.of("a b")),
            Map.of("g", List.of("a c")),
            Map.of("g", List.of("a b d"))
        ), 2, 10);
        assertEquals(List.of("g:a", "g:b"), features.vocabulary(), "c and d are in one item only");
        assertArrayEquals(new int[] { 0, 1 }, features.encode(Map.of("g", List.of("B a z"))));
        assertEquals(List.of("g:a"), ContentFeatures.fit(List.of(Map.of("g", List.of("a b")), Map.of("g", List.of("a b"))), 1, 1)
            .vocabulary(), "ties by name; at most maxFeatures");
    }

    @Test
    void aTwoItemExampleMatchesTheClosedForm() {
        // item A has feature 0 and factor 2, item B no feature and factor 0; rows x = [1/√1, 1] and [0, 1] (intercept last).
        // XᵀX + diag(λ = 1, ~0) = [[2, 1], [1, 2]], XᵀY = [2, 2]  ⇒  w = [2/3, 2/3]:
        // A gets 2/3 + 2/3 = 4/3, B (and any item without known features) the intercept 2/3.
        ContentToFactors map = ContentToFactors.fit(new int[][] { { 0 }, {} }, new float[][] { { 2f }, { 0f } }, 1, 1, 1.0);
        assertEquals(4 / 3.0, map.apply(new int[] { 0 })[0], 1e-5);
        assertEquals(2 / 3.0, map.apply(new int[0])[0], 1e-5);
    }

    @Test
    void aPlantedLinearMapIsRecoveredWithSmallLambda() {
        Random random = new Random(11);
        int vocabulary = 12;
        int k = 4;
        float[][] planted = new float[vocabulary + 1][k];
        for (float[] row : planted) {
            for (int c = 0; c < k; c++) {
                row[c] = (float) random.nextGaussian();
            }
        }
        ContentToFactors truth = new ContentToFactors(planted);
        int items = 400;
        int[][] features = new int[items][];
        float[][] factors = new float[items][];
        for (int i = 0; i < items; i++) {
            features[i] = random.ints(0, vocabulary).distinct().limit(1 + random.nextInt(4)).sorted().toArray();
            factors[i] = truth.apply(features[i]);
        }
        ContentToFactors fitted = ContentToFactors.fit(features, factors, vocabulary, k, 1e-4);
        for (int i = 0; i < 20; i++) {
            float[] expected = factors[i];
            float[] actual = fitted.apply(features[i]);
            for (int c = 0; c < k; c++) {
                assertEquals(expected[c], actual[c], 1e-2, "item " + i + " factor " + c);
            }
        }
    }

    @Test
    void lambdaMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ContentToFactors.fit(new int[][] { {} }, new float[][] { { 0f } }, 0, 1, 0));
        assertEquals("[content.lambda] must be a finite number > 0, got [0.0]", e.getMessage());
    }
}
