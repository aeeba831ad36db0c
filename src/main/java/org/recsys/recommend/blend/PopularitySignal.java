package org.recsys.recommend.blend;

import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.elasticsearch.index.fielddata.IndexNumericFieldData;
import org.elasticsearch.index.fielddata.SortedNumericDoubleValues;

import java.io.IOException;
import java.util.Objects;

/** Popularity signal: the item's numeric prior from doc values (the first value when there are several; 0 when none). */
public record PopularitySignal(String field, IndexNumericFieldData fieldData, SignalWeighting weighting) implements BlendSignal {

    @Override
    public Prepared prepare(IndexSearcher searcher) {
        return context -> {
            SortedNumericDoubleValues values = fieldData.load(context).getDoubleValues();
            return new LeafSignal() {
                @Override
                public double raw(int doc) throws IOException {
                    return values.advanceExact(doc) ? values.nextValue() : 0;
                }

                @Override
                public Explanation explainRaw(int doc, double raw) {
                    return Explanation.match((float) raw, "value of [" + field + "]");
                }
            };
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PopularitySignal other && field.equals(other.field) && weighting.equals(other.weighting);
    }

    @Override
    public int hashCode() {
        return Objects.hash(field, weighting);
    }

    @Override
    public String toString() {
        return "popularity(" + field + ")";
    }
}
