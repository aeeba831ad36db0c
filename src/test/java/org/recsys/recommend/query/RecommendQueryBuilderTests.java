package org.recsys.recommend.query;

import org.apache.lucene.search.Query;
import org.apache.lucene.search.TotalHits;
import org.elasticsearch.common.Strings;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.get.GetRequest;
import org.elasticsearch.action.get.GetResponse;
import org.elasticsearch.action.get.MultiGetItemResponse;
import org.elasticsearch.action.get.MultiGetRequest;
import org.elasticsearch.action.get.MultiGetResponse;
import org.elasticsearch.cluster.metadata.IndexMetadata;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.common.compress.CompressedXContent;
import org.elasticsearch.index.get.GetResult;
import org.elasticsearch.index.mapper.MapperService;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.search.SearchHits;
import org.elasticsearch.search.SearchResponseUtils;
import org.elasticsearch.test.AbstractQueryTestCase;
import org.recsys.recommend.RecommendPlugin;
import org.recsys.recommend.blend.BlendSignal;
import org.recsys.recommend.blend.DotProductSignal;
import org.recsys.recommend.blend.NeighborSignal;
import org.recsys.recommend.blend.RecommendQuery;
import org.recsys.recommend.math.Normalization;
import org.recsys.recommend.model.SignalKind;
import org.recsys.recommend.model.SignalSpec;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;

/**
 * Round trips (XContent and wire), equality, unknown keys and the Lucene query of the builder, through the Elasticsearch
 * framework's standard query test case. Profile lookups are answered by {@link #executeGet}.
 */
public class RecommendQueryBuilderTests extends AbstractQueryTestCase<RecommendQueryBuilder> {

    private static final int DIMS = 4;
    private static final String PROFILE = """
        {"factors": [0.5, -1.0, 0.25, 2.0], "history": [{"item": "i1", "weight": 2.0}, "i2"]}""";

    @Override
    protected Collection<Class<? extends Plugin>> getPlugins() {
        List<Class<? extends Plugin>> plugins = new ArrayList<>(super.getPlugins());
        plugins.add(RecommendPlugin.class);
        return plugins;
    }

    @Override
    protected void initializeAdditionalMappings(MapperService mapperService) throws IOException {
        String mapping = String.format(Locale.ROOT, """
            { "properties": {
                "factors":    { "type": "dense_vector", "dims": %d, "index": true, "similarity": "max_inner_product" },
                "neighbors":  { "type": "sparse_vector" },
                "popularity": { "type": "float" },
                "title":      { "type": "text" } } }""", DIMS);
        mapperService.merge("_doc", new CompressedXContent(mapping), MapperService.MergeReason.MAPPING_UPDATE);
    }

    @Override
    protected RecommendQueryBuilder doCreateTestQueryBuilder() {
        UserRef user = randomBoolean() ? new UserRef("users", randomAlphaOfLength(5), null, null, randomBoolean() ? null : "seen") : null;
        float[] vector = user == null || randomBoolean() ? randomVector() : null;
        List<HistoryItem> history = randomBoolean()
            ? randomList(0, 5, () -> new HistoryItem(randomAlphaOfLength(4), randomFloatBetween(0.1f, 3f, true)))
            : null;
        List<String> items = randomList(0, 3, () -> randomAlphaOfLength(4));
        List<String> likeText = randomList(0, 2, () -> randomAlphaOfLength(6));
        RecommendInputs inputs = new RecommendInputs(user, vector, history, items, likeText, false);
        List<SignalSpec> signals = randomBoolean() ? null : randomSignals();
        RecommendQueryBuilder builder = new RecommendQueryBuilder(
            null,
            inputs,
            signals,
            randomIntBetween(1, 1000),
            randomBoolean(),
            randomBoolean(),
            randomList(0, 3, () -> randomAlphaOfLength(3)),
            randomBoolean() ? QueryBuilders.termQuery(KEYWORD_FIELD_NAME, randomAlphaOfLength(4)) : null
        );
        return randomBoolean() ? builder : builder.explainTerms(false);
    }

    private static float[] randomVector() {
        float[] v = new float[DIMS];
        for (int i = 0; i < DIMS; i++) {
            v[i] = randomFloatBetween(-2f, 2f, true);
        }
        return v;
    }

    private static List<SignalSpec> randomSignals() {
        List<SignalSpec> signals = new ArrayList<>();
        for (SignalKind kind : SignalKind.values()) {
            if (randomBoolean() || (kind == SignalKind.POPULARITY && signals.isEmpty())) {
                List<String> fields = kind == SignalKind.CONTENT ? List.of("title") : List.of(kind.defaultField());
                Normalization normalization = randomFrom(Normalization.values());
                double weight = randomDoubleBetween(0, 2, true);
                signals.add(new SignalSpec(kind, fields, weight, normalization, randomDoubleBetween(0.1, 20, true), true));
            }
        }
        return signals;
    }

    @Override
    protected GetResponse executeGet(GetRequest getRequest) {
        // Every looked-up user has the same profile: a vector and a two-item history.
        return new GetResponse(new GetResult(getRequest.index(), getRequest.id(), 0, 1, 1, true, new BytesArray(PROFILE), null, null));
    }

    @Override
    protected Settings createTestIndexSettings() {
        // dense_vector and sparse_vector behave differently in indices created by old versions; the plugin targets 9.x indices
        return Settings.builder().put(super.createTestIndexSettings()).put(IndexMetadata.SETTING_VERSION_CREATED,
                IndexVersion.current()).build();
    }

    @Override
    protected boolean canSimulateMethod(Method method, Object[] args) {
        boolean lookup = method.getName().equals("search") || method.getName().equals("multiGet");
        return lookup && args.length == 2 && args[1] instanceof ActionListener;
    }

    /** The item lookup (content of history items, factors of seeds) finds nothing: those items are not in the index. */
    @Override
    @SuppressWarnings("unchecked")
    protected Object simulateMethod(Method method, Object[] args) {
        if (method.getName().equals("multiGet")) {
            MultiGetRequest request = (MultiGetRequest) args[0];
            MultiGetItemResponse[] items = request.getItems()
                .stream()
                .map(i -> new MultiGetItemResponse(new GetResponse(new GetResult(i.index(), i.id(), -2, 0, -1, false, null, null,
                        null)), null))
                .toArray(MultiGetItemResponse[]::new);
            ((ActionListener<MultiGetResponse>) args[1]).onResponse(new MultiGetResponse(items));
            return null;
        }
        SearchHits none = SearchHits.empty(new TotalHits(0, TotalHits.Relation.EQUAL_TO), 0f);
        SearchResponse response = SearchResponseUtils.successfulResponse(none);
        try {
            ((ActionListener<SearchResponse>) args[1]).onResponse(response);
        } finally {
            response.decRef();
        }
        return null;
    }

    @Override
    public void testMustRewrite() {
        // Lookups happen in rewrite: a query that skipped it must fail loudly rather than recommend from nothing.
        SearchExecutionContext context = createSearchExecutionContext();
        IllegalStateException e = expectThrows(IllegalStateException.class, () -> createTestQueryBuilder().toQuery(context));
        assertThat(e.getMessage(), containsString("missing a rewriteAndFetch?"));
    }

    @Override
    protected void doAssertLuceneQuery(RecommendQueryBuilder builder, Query query, SearchExecutionContext context) {
        assertThat(query, instanceOf(RecommendQuery.class));
        RecommendQuery recommend = (RecommendQuery) query;
        for (BlendSignal signal : recommend.signals()) {
            if (signal instanceof DotProductSignal dot) {
                assertEquals(DIMS, dot.vector().length);
            }
            if (signal instanceof NeighborSignal neighbors) {
                assertFalse(neighbors.items().isEmpty());
            }
        }
    }

    @Override
    protected boolean builderGeneratesCacheableQueries() {
        return false; // a profile lookup makes the result depend on a document that can change
    }

    public void testTheHandoffTokenTravelsOnTheWireButIsNotJson() throws IOException {
        RecommendQueryBuilder plain = createTestQueryBuilder();
        RecommendQueryBuilder tokened = plain.handoffToken(42);
        assertNotEquals(plain, tokened);
        assertEquals(tokened, copyQuery(tokened));
        assertEquals(42, copyQuery(tokened).handoffToken());
        assertEquals("an internal field: the JSON is the same", Strings.toString(plain), Strings.toString(tokened));
        assertEquals("kept by explain_terms", 42, tokened.explainTerms(false).handoffToken());
    }

    public void testEmptyQueryIsRejected() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> parseQuery("{ \"recommend\": {} }"));
        assertThat(e.getMessage(), containsString("[recommend] needs something to recommend from"));
    }

    public void testUnknownSignalIsRejectedWithTheChoices() {
        Exception e = expectThrows(
            Exception.class,
            () -> parseQuery("{ \"recommend\": { \"user_vector\": [1, 2, 3, 4], \"signals\": { \"magic\": {} } } }")
        );
        assertThat(e.getCause().getMessage(), containsString("unknown signal [magic], expected one of [collaborative, neighbors"));
    }

    public void testWrongTypeNamesTheFieldInBrackets() {
        Exception e = expectThrows(Exception.class, () -> parseQuery("{ \"recommend\": { \"user_vector\": [1], \"exact\": {} } }"));
        assertThat(e.getMessage(), containsString("field [exact] doesn't support values of type: START_OBJECT"));
    }

    public void testVectorWithWrongDimsNamesBothSides() throws IOException {
        RecommendQueryBuilder builder = (RecommendQueryBuilder) parseQuery("{ \"recommend\": { \"user_vector\": [1, 2] } }");
        SearchExecutionContext context = createSearchExecutionContext();
        QueryBuilderRewriter rewriter = new QueryBuilderRewriter();
        IllegalArgumentException e = expectThrows(
            IllegalArgumentException.class,
            () -> rewriter.rewrite(builder, this).toQuery(context)
        );
        assertEquals("[user_vector] has 2 dims but field [factors] has 4", e.getMessage());
    }

    /** Gives the test access to the framework's rewrite-and-fetch, which runs the lookups. */
    private static final class QueryBuilderRewriter {
        org.elasticsearch.index.query.QueryBuilder rewrite(RecommendQueryBuilder builder, RecommendQueryBuilderTests test) {
            return test.rewriteAndFetch(builder, createQueryRewriteContext());
        }
    }
}
