package org.recsys.recommend.blend;

import org.apache.lucene.search.Explanation;
import org.recsys.recommend.math.Normalization;

import java.util.Locale;

/** How one signal enters the blend: contribution = weight × normalization(raw). */
public record SignalWeighting(String signal, double weight, Normalization normalization, double pivot) {

    public double normalize(double raw) {
        return normalization.apply(raw, pivot);
    }

    public double contribution(double raw) {
        return weight * normalize(raw);
    }

    /** contribution, with raw, normalized and weight as details; {@code rawExplanation} says where raw came from. */
    public Explanation explain(double raw, Explanation rawExplanation) {
        double normalized = normalize(raw);
        return Explanation.match(
            (float) (weight * normalized),
            String.format(
                Locale.ROOT,
                "%s: weight %s × normalized %s, computed as weight × normalized from:",
                signal,
                (float) weight,
                (float) normalized
            ),
            rawExplanation,
            Explanation.match((float) normalized, "normalized " + normalization.jsonName() + ": " + normalization.formula(pivot)),
            Explanation.match((float) weight, "weight")
        );
    }
}
