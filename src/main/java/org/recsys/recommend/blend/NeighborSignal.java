package org.recsys.recommend.blend;

import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
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
        return context -> {
            Terms terms = context.reader().terms(field);
            if (terms == null) {
                return DotProductSignal.NoValues.INSTANCE;
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
            return new Leaf(postings.toArray(PostingsEnum[]::new), owners.stream().mapToInt(Integer::intValue).toArray());
        };
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

        /**
         * Each history item's posting list is walked once over the documents' range and its entries looked up among them:
         * a few thousand postings instead of advancing every list to every document. Summed in history order, as raw()
         * sums, so both give the same value.
         */
        @Override
        public void raw(int[] docs, int count, double[] out) throws IOException {
            Arrays.fill(out, 0, count, 0d);
            if (count == 0) {
                return;
            }
            int last = docs[count - 1];
            for (int p = 0; p < postings.length; p++) {
                PostingsEnum list = postings[p];
                double weight = weights[historyIndex[p]];
                int from = 0;
                int doc = list.docID() < docs[0] ? list.advance(docs[0]) : list.docID();
                for (; doc <= last; doc = list.nextDoc()) {
                    int at = Arrays.binarySearch(docs, from, count, doc);
                    if (at >= 0) {
                        out[at] += weight * FeatureValues.decode(list.freq());
                        from = at + 1;
                    } else {
                        from = -at - 1;
                    }
                }
            }
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
