package org.recsys.recommend.math;

import java.util.Arrays;
import java.util.Locale;

/**
 * Maps a signal's raw value to a non-negative, comparable scale using nothing but that value and a constant, so an
 * item's normalized score never depends on the shard that holds it or on the other candidates (unlike min-max or
 * rank-based normalization). Lucene scores must be non-negative and finite; every function here guarantees that.
 */
public enum Normalization {

    /** max(0, x): keeps the raw scale, e.g. an ALS preference estimate that is already near [0, 1]. */
    LINEAR {
        @Override
        public double apply(double raw, double pivot) {
            return raw > 0 ? raw : 0;
        }

        @Override
        public String formula(double pivot) {
            return "max(0, raw)";
        }
    },

    /** x / (x + pivot) for x > 0, else 0: unbounded sums saturate towards 1, reaching 0.5 at the pivot. */
    SATURATION {
        @Override
        public double apply(double raw, double pivot) {
            return raw > 0 ? raw / (raw + pivot) : 0;
        }

        @Override
        public String formula(double pivot) {
            return String.format(Locale.ROOT, "raw / (raw + %s)", pivot);
        }
    },

    /** 1 / (1 + e^(-x / pivot)): any real value into (0, 1), for signals that can be negative. */
    LOGISTIC {
        @Override
        public double apply(double raw, double pivot) {
            return 1.0 / (1.0 + Math.exp(-raw / pivot));
        }

        @Override
        public String formula(double pivot) {
            return String.format(Locale.ROOT, "1 / (1 + exp(-raw / %s))", pivot);
        }
    };

    public abstract double apply(double raw, double pivot);

    /** How the value was computed, for explanations. */
    public abstract String formula(double pivot);

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the JSON name; the message names the field and the accepted values. */
    public static Normalization fromJson(String field, String value) {
        for (Normalization n : values()) {
            if (n.jsonName().equals(value)) {
                return n;
            }
        }
        throw new IllegalArgumentException(
            "[" + field + "] must be one of " + Arrays.stream(values()).map(Normalization::jsonName).toList() + ", got [" + value + "]"
        );
    }
}
