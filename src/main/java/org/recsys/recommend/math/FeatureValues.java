package org.recsys.recommend.math;

/**
 * The value a Lucene {@code FeatureField} (Elasticsearch {@code sparse_vector}) keeps for a float: the term frequency holds
 * the float's top 17 bits (sign is always 0), so 8 bits of mantissa survive, a relative error under 2^-8.
 */
public final class FeatureValues {

    private static final int DROPPED_BITS = 15;

    private FeatureValues() {}

    /** The stored value, decoded from the postings' frequency. */
    public static float decode(int termFrequency) {
        return Float.intBitsToFloat(termFrequency << DROPPED_BITS);
    }

    /** What storing {@code value} and reading it back gives: the oracle tests compare against. */
    public static float quantize(float value) {
        return decode(Float.floatToIntBits(value) >>> DROPPED_BITS);
    }
}
