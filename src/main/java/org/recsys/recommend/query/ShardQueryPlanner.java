package org.recsys.recommend.query;

import org.apache.lucene.document.FeatureField;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.elasticsearch.index.fielddata.IndexNumericFieldData;
import org.elasticsearch.index.mapper.IdFieldMapper;
import org.elasticsearch.index.mapper.KeywordFieldMapper;
import org.elasticsearch.index.mapper.MappedFieldType;
import org.elasticsearch.index.mapper.NumberFieldMapper;
import org.elasticsearch.index.mapper.TextFieldMapper;
import org.elasticsearch.index.mapper.vectors.DenseVectorFieldMapper;
import org.elasticsearch.index.mapper.vectors.SparseVectorFieldMapper;
import org.elasticsearch.index.query.MoreLikeThisQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.internal.MaxClauseCountQueryVisitor;
import org.recsys.recommend.blend.BlendSignal;
import org.recsys.recommend.blend.CandidateGenerator;
import org.recsys.recommend.blend.ContentSignal;
import org.recsys.recommend.blend.DotProductSignal;
import org.recsys.recommend.blend.FactorPartitionCache;
import org.recsys.recommend.blend.NeighborSignal;
import org.recsys.recommend.blend.PartitionProbeQuery;
import org.recsys.recommend.blend.PopularitySignal;
import org.recsys.recommend.blend.RecommendQuery;
import org.recsys.recommend.blend.SignalWeighting;
import org.recsys.recommend.model.SignalKind;
import org.recsys.recommend.model.SignalSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a rewritten {@link RecommendQueryBuilder} into the shard's Lucene query: checks each signal's field against this
 * index's mapping (errors name the field), builds the filter with exclusions, one candidate generator per signal that
 * has input, and the signals that score the candidates.
 */
final class ShardQueryPlanner {

    /** Terms the content query keeps from the history's text: enough to characterize it, few enough to stay fast. */
    static final int CONTENT_MAX_QUERY_TERMS = 25;

    private final RecommendQueryBuilder builder;
    private final SearchExecutionContext context;
    private final MaxClauseCountQueryVisitor visitor;
    private final RecommendInputs inputs;

    ShardQueryPlanner(RecommendQueryBuilder builder, SearchExecutionContext context, MaxClauseCountQueryVisitor visitor) {
        this.builder = builder;
        this.context = context;
        this.visitor = visitor;
        this.inputs = builder.inputs();
    }

    Query plan() throws IOException {
        Admissible admissible = admissible();
        Query filter = admissible.filter();
        List<CandidateGenerator> generators = new ArrayList<>();
        List<BlendSignal> signals = new ArrayList<>();
        for (SignalSpec spec : signalsToUse()) {
            switch (spec.kind()) {
                case COLLABORATIVE -> planCollaborative(spec, admissible, generators, signals);
                case NEIGHBORS -> planNeighbors(spec, filter, generators, signals);
                case CONTENT -> planContent(spec, filter, generators, signals);
                case POPULARITY -> planPopularity(spec, signals);
                default -> throw new IllegalStateException("unknown signal " + spec.kind());
            }
        }
        // Nothing personal to generate candidates from (a cold user): rank every admissible item by what remains.
        boolean exact = builder.exact() || generators.isEmpty();
        RecommendQuery query = RecommendQuery.of(generators, builder.numCandidates(), filter, exact, signals, builder.handoffToken());
        query.visit(visitor);
        return query;
    }

    /** The named signals, or the defaults whose fields this index maps. */
    private List<SignalSpec> signalsToUse() {
        if (builder.signals() != null) {
            // Defaults (from a model) are skipped where this index lacks their field; named signals must be valid.
            return builder.signals().stream().filter(s -> s.explicit() || context.getFieldType(s.field()) != null).toList();
        }
        List<SignalSpec> defaults = new ArrayList<>();
        for (SignalKind kind : List.of(SignalKind.COLLABORATIVE, SignalKind.NEIGHBORS, SignalKind.POPULARITY)) {
            if (context.getFieldType(kind.defaultField()) != null) {
                defaults.add(SignalSpec.defaultFor(kind));
            }
        }
        return defaults;
    }

    private void planCollaborative(SignalSpec spec, Admissible admissible, List<CandidateGenerator> generators,
        List<BlendSignal> signals) {
        Query filter = admissible.filter();
        var type = fieldType(spec, spec.field(), DenseVectorFieldMapper.DenseVectorFieldType.class);
        if (type.getElementType() != DenseVectorFieldMapper.ElementType.FLOAT) {
            throw new IllegalArgumentException(
                "[" + spec.jsonPath() + ".field] [" + spec.field() + "] has element_type [" + type.getElementType()
                    + "], the signal needs [float]"
            );
        }
        float[] vector = inputs.userVector();
        if (vector == null) {
            return; // no user vector: this signal has nothing to say about this user
        }
        if (type.getVectorDimensions() > 0 && vector.length != type.getVectorDimensions()) {
            throw new IllegalArgumentException(
                "[user_vector] has " + vector.length + " dims but field [" + spec.field() + "] has " + type.getVectorDimensions()
            );
        }
        DotProductSignal signal = new DotProductSignal(spec.field(), vector, weighting(spec));
        signals.add(signal);
        if (type.indexType().hasVectors()) {
            generators.add(CandidateGenerator.of(knnGenerator(spec.field(), vector, admissible)));
            if (context.getIndexSettings().getValue(FactorPartitionCache.ENABLED)) {
                // what HNSW misses for vectors unlike the data, from the large segments' k-means lists (FactorPartitions)
                int minDocs = context.getIndexSettings().getValue(FactorPartitionCache.MIN_DOCS);
                // the exclusions too: the filter drops them only afterwards
                int keep = builder.numCandidates() + admissible.excluded();
                generators.add(CandidateGenerator.of(RecommendQuery.restrict(new PartitionProbeQuery(signal, minDocs, keep), filter)));
            }
        } else if (builder.exact() == false) {
            throw new IllegalArgumentException(
                "[" + spec.jsonPath() + ".field] [" + spec.field()
                    + "] is not indexed for kNN: map it with \"index\": true, or set \"exact\": true"
            );
        }
    }

    /**
     * HNSW search for the user vector's nearest items among the admissible ones. With a user filter the filter runs inside
     * the graph search. With exclusions alone (the history, explicit ids) the search asks for that many more neighbors
     * without a filter and drops the excluded ones afterwards: a filtered search first materializes the filter as a bit
     * set over every document of the segment, which costs more on a large catalogue than the few extra neighbors.
     */
    private Query knnGenerator(String field, float[] vector, Admissible admissible) {
        int numCandidates = builder.numCandidates();
        Query filter = admissible.filter();
        if (filter != null && admissible.restricted() == false && admissible.excluded() <= numCandidates) {
            return RecommendQuery.restrict(new KnnFloatVectorQuery(field, vector, numCandidates + admissible.excluded(), null), filter);
        }
        return new KnnFloatVectorQuery(field, vector, numCandidates, filter);
    }

    static final int MAX_NEIGHBOR_CLAUSES = 1024;

    private void planNeighbors(SignalSpec spec, Query filter, List<CandidateGenerator> generators, List<BlendSignal> signals) {
        fieldType(spec, spec.field(), SparseVectorFieldMapper.SparseVectorFieldType.class);
        Map<String, Float> weights = new LinkedHashMap<>();
        for (HistoryItem item : inputs.effectiveHistory()) {
            weights.merge(item.item(), item.weight(), Float::sum);
        }
        if (weights.isEmpty()) {
            return;
        }
        List<String> items = new ArrayList<>(weights.keySet());
        float[] w = new float[items.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights.get(items.get(i));
        }
        signals.add(new NeighborSignal(spec.field(), items, w, weighting(spec)));
        generators.add(CandidateGenerator.exhaustive(RecommendQuery.restrict(neighborPostings(spec.field(), items, w), filter)));
    }

    /**
     * The candidates of the neighbor signal: the documents that list any of the heaviest history items among their
     * neighbors (every one of them; the signal scores them with the real weights). Lucene's feature query takes weights
     * in (0, 64] and a Boolean query a bounded number of clauses, while repeated events add up to any weight and a history
     * may hold thousands of items: the weights are scaled so the largest is 64, and at most
     * {@value #MAX_NEIGHBOR_CLAUSES} items (the heaviest) propose candidates.
     */
    static Query neighborPostings(String field, List<String> items, float[] weights) {
        Integer[] order = new Integer[items.size()];
        float max = 0;
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            max = Math.max(max, weights[i]);
        }
        Arrays.sort(order, (a, b) -> Float.compare(weights[b], weights[a]));
        int clauses = Math.min(order.length, Math.min(MAX_NEIGHBOR_CLAUSES, IndexSearcher.getMaxClauseCount()));
        float scale = 64f / max;
        BooleanQuery.Builder postings = new BooleanQuery.Builder();
        for (int n = 0; n < clauses; n++) {
            int i = order[n];
            float weight = Math.min(64f, Math.max(Float.MIN_NORMAL, weights[i] * scale));
            postings.add(FeatureField.newLinearQuery(field, items.get(i), weight), BooleanClause.Occur.SHOULD);
        }
        return postings.build();
    }

    private void planContent(SignalSpec spec, Query filter, List<CandidateGenerator> generators, List<BlendSignal> signals)
        throws IOException {
        for (String field : spec.fields()) {
            MappedFieldType type = context.getFieldType(field);
            if (type == null) {
                throw new IllegalArgumentException(
                    "[" + spec.jsonPath() + ".fields] [" + field + "] is not mapped in index [" + indexName() + "]"
                );
            }
            if (type instanceof TextFieldMapper.TextFieldType == false && type instanceof KeywordFieldMapper.KeywordFieldType == false) {
                throw new IllegalArgumentException(
                    "[" + spec.jsonPath() + ".fields] [" + field + "] is of type [" + type.typeName()
                        + "], the signal needs [text] or [keyword]"
                );
            }
        }
        Query content;
        if (inputs.contentOnShard()) {
            List<String> ids = ShardContent.recentIds(inputs.effectiveHistory());
            if (ids.isEmpty() && inputs.likeText().isEmpty()) {
                return;
            }
            content = new ShardContent(ids, spec.fields(), inputs.likeText(), texts -> contentQuery(spec.fields(), texts));
        } else {
            if (inputs.likeText().isEmpty()) {
                return;
            }
            content = contentQuery(spec.fields(), inputs.likeText());
        }
        signals.add(new ContentSignal(content, weighting(spec), builder.explainTerms()));
        // The generator's score is the content signal's raw value (the filter adds nothing), so it is kept, not recomputed.
        generators.add(CandidateGenerator.scoring(RecommendQuery.restrict(content, filter), signals.size() - 1));
    }

    /** The content signal's query for these texts: more-like-this over the fields (null when there is no text). */
    private Query contentQuery(List<String> fields, List<String> texts) throws IOException {
        if (texts.isEmpty()) {
            return null;
        }
        return new MoreLikeThisQueryBuilder(fields.toArray(String[]::new), texts.toArray(String[]::new), null).minTermFreq(1)
            .minDocFreq(1)
            .maxQueryTerms(CONTENT_MAX_QUERY_TERMS)
            .minimumShouldMatch("1")
            .toQuery(context);
    }

    private void planPopularity(SignalSpec spec, List<BlendSignal> signals) {
        NumberFieldMapper.NumberFieldType type = fieldType(spec, spec.field(), NumberFieldMapper.NumberFieldType.class);
        if (type.hasDocValues() == false) {
            throw new IllegalArgumentException("[" + spec.jsonPath() + ".field] [" + spec.field() + "] has no doc values to read");
        }
        IndexNumericFieldData fieldData = context.getForField(type, MappedFieldType.FielddataOperation.SEARCH);
        signals.add(new PopularitySignal(spec.field(), fieldData, weighting(spec)));
    }

    /**
     * What a candidate may be: inside the query's {@code filter} and the filter of the alias searched, if any (the
     * restriction; Elasticsearch applies the alias filter to the hits, and candidates outside it would only crowd out
     * admissible ones), and none of the excluded ids (history, explicit). {@code filter} is null when nothing is ruled out.
     */
    private record Admissible(Query filter, boolean restricted, int excluded) {}

    private Admissible admissible() throws IOException {
        Set<String> excluded = new LinkedHashSet<>(builder.exclude());
        if (builder.excludeSeen()) {
            excluded.addAll(inputs.seenIds());
        }
        List<Query> restrictions = new ArrayList<>(2);
        if (builder.filter() != null) {
            restrictions.add(builder.filter().toQuery(context));
        }
        QueryBuilder aliasFilter = context.getAliasFilter();
        if (aliasFilter != null) {
            // an alias filter may hold a recommend query itself: building it must not apply the alias filter again (that
            // recursion would not end)
            context.setAliasFilter(null);
            try {
                restrictions.add(aliasFilter.toQuery(context));
            } finally {
                context.setAliasFilter(aliasFilter);
            }
        }
        if (excluded.isEmpty() && restrictions.isEmpty()) {
            return new Admissible(null, false, 0);
        }
        BooleanQuery.Builder filter = new BooleanQuery.Builder();
        if (restrictions.isEmpty()) {
            filter.add(new org.apache.lucene.search.MatchAllDocsQuery(), BooleanClause.Occur.FILTER);
        }
        restrictions.forEach(restriction -> filter.add(restriction, BooleanClause.Occur.FILTER));
        if (excluded.isEmpty() == false) {
            filter.add(context.getFieldType(IdFieldMapper.NAME).termsQuery(excluded, context), BooleanClause.Occur.MUST_NOT);
        }
        return new Admissible(filter.build(), restrictions.isEmpty() == false, excluded.size());
    }

    private <T extends MappedFieldType> T fieldType(SignalSpec spec, String field, Class<T> expected) {
        MappedFieldType type = context.getFieldType(field);
        if (type == null) {
            throw new IllegalArgumentException(
                "[" + spec.jsonPath() + ".field] [" + field + "] is not mapped in index [" + indexName() + "]"
            );
        }
        if (expected.isInstance(type) == false) {
            throw new IllegalArgumentException(
                "[" + spec.jsonPath() + ".field] [" + field + "] is of type [" + type.typeName() + "], the signal needs ["
                    + expectedTypeName(expected) + "]"
            );
        }
        return expected.cast(type);
    }

    private static String expectedTypeName(Class<?> expected) {
        if (expected == DenseVectorFieldMapper.DenseVectorFieldType.class) {
            return "dense_vector";
        }
        if (expected == SparseVectorFieldMapper.SparseVectorFieldType.class) {
            return "sparse_vector";
        }
        return "a numeric type";
    }

    private String indexName() {
        return context.index().getName();
    }

    private static SignalWeighting weighting(SignalSpec spec) {
        return new SignalWeighting(spec.kind().jsonName(), spec.weight(), spec.normalization(), spec.pivot());
    }

}
