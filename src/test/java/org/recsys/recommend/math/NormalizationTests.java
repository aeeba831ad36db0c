package org.recsys.recommend.math;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NormalizationTests {

    @Test
    void closedFormValues() {
        assertEquals(0.0, Normalization.LINEAR.apply(-0.3, 1), 0);
        assertEquals(0.7, Normalization.LINEAR.apply(0.7, 1), 0);
        // saturation reaches one half at the pivot: 4 / (4 + 4)
        assertEquals(0.5, Normalization.SATURATION.apply(4, 4), 1e-12);
        assertEquals(0.0, Normalization.SATURATION.apply(-1, 4), 0);
        // logistic: 1 / (1 + e^0) = 0.5 at zero; 1 / (1 + e^-2) at raw 2, pivot 1
        assertEquals(0.5, Normalization.LOGISTIC.apply(0, 3), 1e-12);
        assertEquals(1 / (1 + Math.exp(-2)), Normalization.LOGISTIC.apply(2, 1), 1e-12);
    }

    @Test
    void everyFunctionIsMonotoneFiniteAndNonNegative() {
        Random random = new Random(7);
        for (Normalization n : Normalization.values()) {
            for (int i = 0; i < 10_000; i++) {
                double a = (random.nextDouble() - 0.5) * 1e3;
                double b = a + random.nextDouble() * 10;
                double pivot = 0.01 + random.nextDouble() * 100;
                double na = n.apply(a, pivot);
                double nb = n.apply(b, pivot);
                assertTrue(na >= 0 && Double.isFinite(na), n + " gave " + na);
                assertTrue(nb >= na, n + " is not monotone at " + a + ", " + b);
            }
        }
    }

    @Test
    void parsingNamesTheFieldAndTheChoices() {
        assertEquals(Normalization.SATURATION, Normalization.fromJson("x", "saturation"));
        IllegalArgumentException e = assertThrows(
            IllegalArgumentException.class,
            () -> Normalization.fromJson("signals.content.normalization", "minmax")
        );
        assertEquals("[signals.content.normalization] must be one of [linear, saturation, logistic], got [minmax]", e.getMessage());
    }
}
