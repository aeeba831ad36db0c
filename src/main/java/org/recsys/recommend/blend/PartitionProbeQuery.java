package org.recsys.recommend.blend;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.VectorUtil;

import java.io.IOException;
import java.util.Objects;

/**
 * The collaborative signal's second candidate generator: in each segment with {@link FactorPartitions}, the documents of
 * the lists whose centroids score highest against the user vector, at least {@code 1/}{@value #PROBED_SHARE_INVERSE} of
 * the segment, ranked by int8 approximations of the dot product; the best {@code keep} become candidates. HNSW
 * ({@code knn}) stays the first generator; this one finds what the graph misses for vectors unlike the data (see
 * {@link FactorPartitions}). Segments without partitions (small ones, or while they are being built) contribute nothing.
 *
 * <p>The generator's score is a positive monotone map of the approximate dot product (Lucene's, for inner products);
 * the blend scores the candidates with the exact signal. The best {@code keep} are chosen before the query's filter
 * applies (which Lucene intersects afterwards): under a selective filter this generator proposes fewer, and the filtered
 * HNSW search fills in.
 */
public final class PartitionProbeQuery extends Query {

    /** Probed share of a segment: 1/16. On the benchmark catalogue it holds 99 % of a random vector's exact top 100. */
    static final int PROBED_SHARE_INVERSE = 16;

    private final DotProductSignal signal;
    private final int minDocs;
    private final int keep;
    private final FactorPartitionCache cache;

    /** Proposes the {@code keep} probed documents with the largest approximate dot products, per segment. */
    public PartitionProbeQuery(DotProductSignal signal, int minDocs, int keep) {
        this(signal, minDocs, keep, FactorPartitionCache.current());
    }

    PartitionProbeQuery(DotProductSignal signal, int minDocs, int keep, FactorPartitionCache cache) {
        this.signal = signal;
        this.minDocs = minDocs;
        this.keep = keep;
        this.cache = cache;
    }

    @Override
    public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) throws IOException {
        return new Weight(this) {
            @Override
            public ScorerSupplier scorerSupplier(LeafReaderContext context) throws IOException {
                FactorPartitions partitions = cache.get(context.reader(), signal.field(), minDocs);
                if (partitions == null) {
                    return null;
                }
                int wanted = (partitions.size() + PROBED_SHARE_INVERSE - 1) / PROBED_SHARE_INVERSE;
                FactorPartitions.Probe probe = partitions.probe(signal.vector(), wanted, keep, context.reader().getLiveDocs());
                if (probe.docs().length == 0) {
                    return null;
                }
                double[] scores = new double[probe.docs().length];
                for (int i = 0; i < scores.length; i++) {
                    scores[i] = VectorUtil.scaleMaxInnerProductScore(probe.dots()[i]); // positive, as top-k collection needs
                }
                return new ScorerSupplier() {
                    @Override
                    public Scorer get(long leadCost) {
                        return new ScoredDocsScorer(probe.docs(), scores, boost);
                    }

                    @Override
                    public long cost() {
                        return scores.length;
                    }
                };
            }

            @Override
            public Explanation explain(LeafReaderContext context, int doc) {
                return Explanation.noMatch("a candidate generator: the blend explains the scores");
            }

            @Override
            public boolean isCacheable(LeafReaderContext ctx) {
                return false; // what it matches changes when a segment's partitions become ready
            }
        };
    }

    @Override
    public void visit(QueryVisitor visitor) {
        if (visitor.acceptField(signal.field())) {
            visitor.visitLeaf(this);
        }
    }

    @Override
    public String toString(String field) {
        return "partition_probe(" + signal.field() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return sameClassAs(o) && o instanceof PartitionProbeQuery other && signal.equals(other.signal) && minDocs == other.minDocs
            && keep == other.keep;
    }

    @Override
    public int hashCode() {
        return Objects.hash(classHash(), signal, minDocs, keep); // the signal's hash covers its vector
    }
}
