package org.recsys.recommend.query;

import java.util.ArrayList;
import java.util.List;

/** A profile's seen set as stored: an array of item ids (a single id is an array of one, as Elasticsearch treats it). */
public final class SeenIds {

    private SeenIds() {}

    /** The ids of {@code value}; {@code field} names it in the error a malformed set gets. */
    public static List<String> fromSource(String field, Object value) {
        if (value == null) {
            return List.of();
        }
        List<?> values = value instanceof List<?> list ? list : List.of(value);
        List<String> ids = new ArrayList<>(values.size());
        for (Object id : values) {
            if (id instanceof String s && s.isEmpty() == false) {
                ids.add(s);
            } else {
                throw new IllegalArgumentException("[" + field + "] must be an array of item ids, got [" + id + "]");
            }
        }
        return ids;
    }
}
