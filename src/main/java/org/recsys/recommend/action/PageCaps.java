package org.recsys.recommend.action;

import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.search.SearchHit;
import org.recsys.recommend.math.ValueCaps;

import java.util.List;

/**
 * The per-value caps of one page being built: how many times each value of the capped field is on the page so far, read
 * from the hits' doc value fields. Recommendations and backfill count against the same caps.
 */
final class PageCaps {

    private final String field;
    private final ValueCaps caps;

    PageCaps(String field, int maxPerValue) {
        this.field = field;
        this.caps = new ValueCaps(maxPerValue);
    }

    void clear() {
        caps.clear();
    }

    /** Counts a hit that is on the page. */
    void count(SearchHit hit) {
        caps.take(valuesOf(hit));
    }

    /** Whether the hit fits under the caps; if it does, it is counted. */
    boolean takeIfFits(SearchHit hit) {
        return caps.takeIfFits(valuesOf(hit));
    }

    /** Values that cannot take another item. */
    List<String> fullValues() {
        return caps.fullValues();
    }

    List<String> valuesOf(SearchHit hit) {
        DocumentField values = hit.field(field);
        return values == null ? List.of() : values.getValues().stream().map(String::valueOf).toList();
    }
}
