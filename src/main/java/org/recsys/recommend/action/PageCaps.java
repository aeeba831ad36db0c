package org.recsys.recommend.action;

import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.search.SearchHit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-value caps of one page being built: how many times each value of the capped field is on the page so far, read
 * from the hits' doc value fields. Recommendations and backfill count against the same caps.
 */
final class PageCaps {

    private final String field;
    private final int maxPerValue;
    private final Map<String, Integer> counts = new HashMap<>();

    PageCaps(String field, int maxPerValue) {
        this.field = field;
        this.maxPerValue = maxPerValue;
    }

    void clear() {
        counts.clear();
    }

    /** Counts a hit that is on the page. */
    void count(SearchHit hit) {
        valuesOf(hit).forEach(v -> counts.merge(v, 1, Integer::sum));
    }

    /** Whether the hit fits under the caps; if it does, it is counted. */
    boolean takeIfFits(SearchHit hit) {
        List<String> values = valuesOf(hit);
        for (String v : values) {
            if (counts.getOrDefault(v, 0) >= maxPerValue) {
                return false;
            }
        }
        values.forEach(v -> counts.merge(v, 1, Integer::sum));
        return true;
    }

    /** Values that cannot take another item. */
    List<String> fullValues() {
        return counts.entrySet().stream().filter(e -> e.getValue() >= maxPerValue).map(Map.Entry::getKey).toList();
    }

    List<String> valuesOf(SearchHit hit) {
        DocumentField values = hit.field(field);
        return values == null ? List.of() : values.getValues().stream().map(String::valueOf).toList();
    }
}
