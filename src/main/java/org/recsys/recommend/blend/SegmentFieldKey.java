package org.recsys.recommend.blend;

/**
 * A per-segment cache key: a segment's core cache key and a field. The core key does not override equals, so the record's
 * own equals and hashCode compare it by identity. Every reader of the segment shares it, also the wrappers that hide
 * documents or fields: caches keyed by it must decide for themselves what such a reader may get.
 */
record SegmentFieldKey(Object core, String field) {}
