package org.recsys.recommend.blend;

/**
 * A per-segment cache key: a segment's core cache key, compared by identity (it does not override equals), and a field.
 * Every reader of the segment shares it, also the wrappers that hide documents or fields: caches keyed by it must decide
 * for themselves what such a reader may get.
 */
record SegmentFieldKey(Object core, String field) {
    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentFieldKey other && core == other.core && field.equals(other.field);
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(core) * 31 + field.hashCode();
    }
}
