package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VectorsTests {

    @Test
    void meanIsComponentWise() {
        // (1 + 3) / 2 = 2 and (2 + -2) / 2 = 0
        assertArrayEquals(new float[] { 2f, 0f }, Vectors.mean(List.of(new float[] { 1, 2 }, new float[] { 3, -2 })));
        assertNull(Vectors.mean(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Vectors.mean(List.of(new float[2], new float[3])));
    }

    @Test
    void nonFiniteComponentsAreRejectedWithFieldAndPosition() {
        Vectors.requireFinite("v", new float[] { 1, -2, 0 });
        IllegalArgumentException e = assertThrows(
            IllegalArgumentException.class,
            () -> Vectors.requireFinite("user_vector", new float[] { 1, Float.NaN })
        );
        assertEquals("[user_vector] must contain only finite numbers, found [NaN] at position [1]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Vectors.requireFinite("v", new float[] { Float.NEGATIVE_INFINITY }));
    }

    @Test
    void componentsBeyondTheMaximumMagnitudeAreRejected() {
        Vectors.requireBounded("v", new float[] { 1_000_000, -1_000_000 });
        IllegalArgumentException e = assertThrows(
            IllegalArgumentException.class,
            () -> Vectors.requireBounded("user_vector", new float[] { 1, -1e30f })
        );
        assertEquals("[user_vector] components must be at most 1000000 in magnitude, found [-1.0E30] at position [1]", e.getMessage());
    }
}
