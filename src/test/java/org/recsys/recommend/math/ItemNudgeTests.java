package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class ItemNudgeTests {

    @Test
    void oneStepMatchesTheGradientByHand() {
        // y = (0, 0.5), x = (1, 1): xᵀy = 0.5, error 1 − 0.5 = 0.5; c = 1 + α r = 3, η = 0.2:
        // y + 0.2 · 3 · 0.5 · x = (0, 0.5) + 0.3 · (1, 1) = (0.3, 0.8)
        assertArrayEquals(new float[] { 0.3f, 0.8f }, ItemNudge.step(new float[] { 0f, 0.5f }, new float[] { 1f, 1f }, 3, 0.2), 1e-6f);
    }

    @Test
    void aPerfectPredictionDoesNotMove() {
        float[] y = { 0.6f, 0.8f };
        assertArrayEquals(y, ItemNudge.step(y, new float[] { 0.6f, 0.8f }, 5, 0.5), 1e-6f); // xᵀy = 1
    }
}
