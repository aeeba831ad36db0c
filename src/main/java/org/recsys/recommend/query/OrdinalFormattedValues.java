package org.recsys.recommend.query;

import org.apache.lucene.index.SortedSetDocValues;
import org.elasticsearch.index.fielddata.FormattedDocValues;
import org.elasticsearch.index.fielddata.LeafFieldData;
import org.elasticsearch.index.fielddata.LeafOrdinalsFieldData;
import org.elasticsearch.search.DocValueFormat;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A keyword field's values as the caps read them, formatted once per ordinal: a capped field has few distinct values
 * (genres, brands) repeated over a window of thousands of hits, and looking each hit's value up in the terms dictionary and
 * formatting it again was half of what the caps cost. Same strings as the field data's own formatted values.
 */
final class OrdinalFormattedValues implements FormattedDocValues {

    /** Up to this many distinct values, formatted values are kept in an array indexed by ordinal, beyond it in a map. */
    static final int ARRAY_LIMIT = 4096;

    private final SortedSetDocValues ordinals;
    private final DocValueFormat format;
    private final Object[] byOrdinal; // null: too many values, see formatted
    private final Map<Long, Object> formatted = new HashMap<>();

    private OrdinalFormattedValues(SortedSetDocValues ordinals, DocValueFormat format) {
        this.ordinals = ordinals;
        this.format = format;
        this.byOrdinal = ordinals.getValueCount() <= ARRAY_LIMIT ? new Object[(int) ordinals.getValueCount()] : null;
    }

    /** The fast form for ordinal field data, the field data's own formatted values otherwise. */
    static FormattedDocValues of(LeafFieldData data, DocValueFormat format) {
        return data instanceof LeafOrdinalsFieldData ords
            ? new OrdinalFormattedValues(ords.getOrdinalsValues(), format)
            : data.getFormattedValues(format);
    }

    @Override
    public boolean advanceExact(int doc) throws IOException {
        return ordinals.advanceExact(doc);
    }

    @Override
    public int docValueCount() {
        return ordinals.docValueCount();
    }

    @Override
    public Object nextValue() throws IOException {
        long ord = ordinals.nextOrd();
        if (byOrdinal != null) {
            Object value = byOrdinal[(int) ord];
            if (value == null) {
                value = format.format(ordinals.lookupOrd(ord));
                byOrdinal[(int) ord] = value;
            }
            return value;
        }
        Object value = formatted.get(ord);
        if (value == null) {
            value = format.format(ordinals.lookupOrd(ord));
            formatted.put(ord, value);
        }
        return value;
    }
}
