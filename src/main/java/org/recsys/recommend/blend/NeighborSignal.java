package org.recsys.recommend.blend;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.BytesRef;
import org.recsys.recommend.math.FeatureValues;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Item-based collaborative filtering as an inverted index: the item's {@code sparse_vector} maps other item ids to
 * similarity, so raw = Σ over history items i of weight(i) × sim(item, i), read from the postings of term i.
 */
public record NeighborSignal(String field, List<String> items, float[] weights, SignalWeighting weighting) implements BlendSignal {

    public NeighborSignal {
        items = List.copyOf(items);
        weights = weights.clone();
        if (items.size() != weights.length) {
            throw new IllegalArgumentException("one weight per history item");
        }
    }

    @Override
    public Prepared prepare(IndexSearcher searcher) {
        return new Prepared() {
            @Override
            public LeafSignal forLeaf(LeafReaderContext context) throws IOException {
                HistoryPostings found = postingsOf(context);
                return found == null ? DotProductSignal.NoValues.INSTANCE : new Leaf(found.postings(), found.historyIndex());
            }

            @Override
            public double[] rawValues(LeafReaderContext context, int[] docs) throws IOException {
                // Each history item's posting list is walked once and its entries looked up among the candidates: a few
                // thousand postings instead of advancing every list to every candidate. Summed in history order, as
                // raw() sums, so both give the same value.
                double[] raw = new double[docs.length];
                HistoryPostings found = postingsOf(context);
                if (found == null) {
                    return raw;
                }
                for (int p = 0; p < found.postings().length; p++) {
                    PostingsEnum postings = found.postings()[p];
                    double weight = weights[found.historyIndex()[p]];
                    int from = 0;
                    int doc = postings.nextDoc();
                    for (; doc != DocIdSetIterator.NO_MORE_DOCS && from < docs.length; doc = postings.nextDoc()) {
                        int at = Arrays.binarySearch(docs, from, docs.length, doc);
                        if (at >= 0) {
                            raw[at] += weight * FeatureValues.decode(postings.freq());
                            from = at + 1;
                        } else {
                            from = -at - 1;
                        }
                    }
                }
                return raw;
            }
        };
    }

    /** The posting lists of the history items present in a segment, and which history item each belongs to. */
    private record HistoryPostings(PostingsEnum[] postings, int[] historyIndex) {}

    private HistoryPostings postingsOf(LeafReaderContext context) throws IOException {
        Terms terms = context.reader().terms(field);
        if (terms == null) {
            return null;
        }
        TermsEnum termsEnum = terms.iterator();
        List<PostingsEnum> postings = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (termsEnum.seekExact(new BytesRef(items.get(i)))) {
                postings.add(termsEnum.postings(null, PostingsEnum.FREQS));
                owners.add(i);
            }
        }
        return new HistoryPostings(postings.toArray(PostingsEnum[]::new), owners.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Forward-only reader over the postings of the history items present in this segment. */
    private final class Leaf implements LeafSignal {
        private final PostingsEnum[] postings;
        private final int[] historyIndex;

        Leaf(PostingsEnum[] postings, int[] historyIndex) {
            this.postings = postings;
            this.historyIndex = historyIndex;
        }

        @Override
        public double raw(int doc) throws IOException {
            double sum = 0;
            for (int p = 0; p < postings.length; p++) {
                if (positionOn(postings[p], doc)) {
                    sum += (double) weights[historyIndex[p]] * FeatureValues.decode(postings[p].freq());
                }
            }
            return sum;
        }

        @Override
        public Explanation explainRaw(int doc, double raw) throws IOException {
            List<Explanation> because = new ArrayList<>();
            for (int p = 0; p < postings.length; p++) {
                if (positionOn(postings[p], doc)) {
                    int h = historyIndex[p];
                    float similarity = FeatureValues.decode(postings[p].freq());
                    because.add(
                        Explanation.match(
                            weights[h] * similarity,
                            String.format(Locale.ROOT, "history item [%s]: weight %s × similarity %s", items.get(h), weights[h], similarity)
                        )
                    );
                }
            }
            String description = because.isEmpty()
                ? "no history item is a neighbor of this item in [" + field + "]"
                : "weight × similarity of the history items in [" + field + "], sum of:";
            return Explanation.match((float) raw, description, because);
        }

        private static boolean positionOn(PostingsEnum postings, int doc) throws IOException {
            int current = postings.docID();
            if (current < doc) {
                current = postings.advance(doc);
            }
            return current == doc;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NeighborSignal other
            && field.equals(other.field)
            && items.equals(other.items)
            && Arrays.equals(weights, other.weights)
            && weighting.equals(other.weighting);
    }

    @Override
    public int hashCode() {
        return Objects.hash(field, items, Arrays.hashCode(weights), weighting);
    }

    @Override
    public String toString() {
        return "neighbors(" + field + ", " + items.size() + " items)";
    }
}
