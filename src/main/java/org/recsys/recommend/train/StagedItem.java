package org.recsys.recommend.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** One item of a staged run: its factors, neighbor list (item → similarity, > 0) and popularity. */
record StagedItem(String id, float[] factors, Map<String, Float> neighbors, long popularity) {

    private static final long MAX_POPULARITY = 1L << 53;

    static StagedItem parse(String runId, Map<String, Object> source, int dims) {
        Object id = source.get("id");
        String itemId = id instanceof String s && s.isEmpty() == false ? s : null;
        if (itemId == null) {
            throw new IllegalArgumentException("[staging] an item document of run [" + runId + "] has no [id], got [" + id + "]");
        }
        String where = "[staging] item [" + id + "] of run [" + runId + "]: ";
        float[] factors = StagedUser.factors(where, source.get("factors"), dims);
        Map<String, Float> neighbors = new LinkedHashMap<>();
        Object lists = source.get("neighbors");
        if (lists instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                double similarity = e.getValue() instanceof Number n ? n.doubleValue() : Double.NaN;
                // a sparse_vector holds positive normal floats only: zero, negative, subnormal or beyond float is a defect
                if (Double.isFinite(similarity) == false || similarity < Float.MIN_NORMAL || similarity > Float.MAX_VALUE) {
                    throw new IllegalArgumentException(where + "[neighbors] similarity of [" + e.getKey() + "] must be a finite number "
                        + "> 0, got [" + e.getValue() + "]");
                }
                neighbors.put(e.getKey().toString(), (float) similarity);
            }
        } else if (lists != null) {
            throw new IllegalArgumentException(where + "[neighbors] must be an object of item ids to similarities, got [" + lists + "]");
        }
        Object popularity = source.get("popularity");
        // a count of users: whole, >= 0, and exact as a long and in the float field it is written to's range
        long count = (popularity instanceof Integer || popularity instanceof Long) && ((Number) popularity).longValue() >= 0
            && ((Number) popularity).longValue() <= MAX_POPULARITY ? ((Number) popularity).longValue() : -1;
        if (count < 0) {
            throw new IllegalArgumentException(where + "[popularity] must be a whole number between 0 and 2^53, got [" + popularity + "]");
        }
        return new StagedItem(itemId, factors, neighbors, count);
    }
}
