package org.recsys.recommend.query;

import org.apache.lucene.search.Query;
import org.apache.lucene.util.SetOnce;
import org.elasticsearch.TransportVersion;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.OriginalIndices;
import org.elasticsearch.action.ResolvedIndices;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.regex.Regex;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.index.Index;
import org.elasticsearch.index.query.AbstractQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.internal.MaxClauseCountQueryVisitor;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParseException;
import org.elasticsearch.xcontent.XContentParser;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.model.SignalKind;
import org.recsys.recommend.model.SignalSpec;
import org.recsys.recommend.model.Signals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code recommend} query: ranks items for a user by a weighted blend of collaborative, neighbor, content and
 * popularity signals. Profile and item lookups happen in rewrite, asynchronously and with the caller's privileges; the
 * shard-level query is built by {@link ShardQueryPlanner}. See docs/recommend-query.md for the user-facing contract.
 */
public class RecommendQueryBuilder extends AbstractQueryBuilder<RecommendQueryBuilder> {

    public static final String NAME = "recommend";
    public static final int DEFAULT_NUM_CANDIDATES = 500;
    public static final int MAX_NUM_CANDIDATES = 10_000;

    static final ParseField MODEL = new ParseField("model");
    static final ParseField USER = new ParseField("user");
    static final ParseField USER_VECTOR = new ParseField("user_vector");
    static final ParseField HISTORY = new ParseField("history");
    static final ParseField ITEMS = new ParseField("items");
    static final ParseField LIKE_TEXT = new ParseField("like_text");
    static final ParseField SIGNALS = new ParseField("signals");
    static final ParseField NUM_CANDIDATES = new ParseField("num_candidates");
    static final ParseField EXACT = new ParseField("exact");
    static final ParseField EXCLUDE_SEEN = new ParseField("exclude_seen");
    static final ParseField EXCLUDE = new ParseField("exclude");
    static final ParseField FILTER = new ParseField("filter");
    static final ParseField EXPLAIN_TERMS = new ParseField("explain_terms");

    private static final ObjectParser<Draft, Void> PARSER = new ObjectParser<>(NAME);

    static {
        PARSER.declareString((d, v) -> d.model = v, MODEL);
        PARSER.declareField(Draft::user, RecommendQueryBuilder::parseUser, USER, ObjectParser.ValueType.OBJECT_OR_STRING);
        PARSER.declareFloatArray((d, v) -> d.userVector = v, USER_VECTOR);
        PARSER.declareField((d, v) -> d.history = v, (p, c) -> HistoryItem.parseArray(p), HISTORY, ObjectParser.ValueType.OBJECT_ARRAY);
        PARSER.declareStringArray((d, v) -> d.items = v, ITEMS);
        PARSER.declareField(
            (d, v) -> d.likeText = v,
            RecommendQueryBuilder::parseStringOrArray,
            LIKE_TEXT,
            ObjectParser.ValueType.STRING_ARRAY
        );
        PARSER.declareObject((d, v) -> d.signals = v, (p, c) -> Signals.parse(p), SIGNALS);
        PARSER.declareInt((d, v) -> d.numCandidates = v, NUM_CANDIDATES);
        PARSER.declareBoolean((d, v) -> d.exact = v, EXACT);
        PARSER.declareBoolean((d, v) -> d.excludeSeen = v, EXCLUDE_SEEN);
        PARSER.declareStringArray((d, v) -> d.exclude = v, EXCLUDE);
        PARSER.declareObject((d, v) -> d.filter = v, (p, c) -> parseInnerQueryBuilder(p), FILTER);
        PARSER.declareBoolean((d, v) -> d.explainTerms = v, EXPLAIN_TERMS);
        declareStandardFields(PARSER);
    }

    private final String model; // the registered model the defaults came from, or null
    private final RecommendInputs inputs;
    private final List<SignalSpec> signals; // null: the defaults, each used when its field is mapped
    private final int numCandidates;
    private final boolean exact;
    private final boolean excludeSeen;
    private final List<String> exclude;
    private final QueryBuilder filter;
    // false leaves the content signal's per-term BM25 breakdown out of explanations: costly, and unused by _recommend
    private final boolean explainTerms;
    // Not JSON: set by the _recommend endpoint, so that its fetch phase (which explains the hits) gets the candidates of
    // its own query phase back (RewriteMemo) instead of generating them again; 0: none.
    private final long handoffToken;
    private final Supplier<RecommendInputs> pendingInputs; // set only while a lookup runs; never serialized
    // true when the model was not found while parsing: the error waits for the rewrite, which runs after the search was
    // authorized, so that a caller without privileges cannot learn from a parse error which models exist; never serialized
    private final boolean unknownModel;

    public RecommendQueryBuilder(
        String model,
        RecommendInputs inputs,
        List<SignalSpec> signals,
        int numCandidates,
        boolean exact,
        boolean excludeSeen,
        List<String> exclude,
        QueryBuilder filter
    ) {
        this.model = model;
        this.inputs = Objects.requireNonNull(inputs);
        this.signals = signals == null ? null : Signals.validate(signals);
        if (numCandidates < 1 || numCandidates > MAX_NUM_CANDIDATES) {
            throw new IllegalArgumentException(
                "[" + NUM_CANDIDATES.getPreferredName() + "] must be between 1 and " + MAX_NUM_CANDIDATES + ", got [" + numCandidates + "]"
            );
        }
        this.numCandidates = numCandidates;
        this.exact = exact;
        this.excludeSeen = excludeSeen;
        this.exclude = List.copyOf(exclude);
        this.filter = filter;
        this.explainTerms = true;
        this.handoffToken = 0;
        this.pendingInputs = null;
        this.unknownModel = false;
    }

    private RecommendQueryBuilder(RecommendQueryBuilder template, Supplier<RecommendInputs> pendingInputs) {
        this(template, template.explainTerms, template.handoffToken, pendingInputs, template.unknownModel);
    }

    public RecommendQueryBuilder(StreamInput in) throws IOException {
        super(in);
        model = in.readOptionalString();
        inputs = new RecommendInputs(in);
        signals = in.readOptionalCollectionAsList(SignalSpec::new);
        numCandidates = in.readVInt();
        exact = in.readBoolean();
        excludeSeen = in.readBoolean();
        exclude = in.readStringCollectionAsList();
        filter = in.readOptionalNamedWriteable(QueryBuilder.class);
        explainTerms = in.readBoolean();
        handoffToken = in.readLong();
        pendingInputs = null;
        unknownModel = false;
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        if (pendingInputs != null) {
            throw new IllegalStateException("a recommend query with a pending lookup cannot be serialized: missing a rewriteAndFetch?");
        }
        if (unknownModel) {
            throw unknownModelError();
        }
        out.writeOptionalString(model);
        inputs.writeTo(out);
        out.writeOptionalCollection(signals);
        out.writeVInt(numCandidates);
        out.writeBoolean(exact);
        out.writeBoolean(excludeSeen);
        out.writeStringCollection(exclude);
        out.writeOptionalNamedWriteable(filter);
        out.writeBoolean(explainTerms);
        out.writeLong(handoffToken);
    }

    /**
     * Parses a query; {@code models} resolves a {@code model} name to its configuration (the node's cluster state), or to
     * null when there is no such model. A query naming an unknown model parses as if the model had the default
     * configuration, so that it passes or fails the same checks as one naming a known model, and fails on rewrite.
     */
    public static RecommendQueryBuilder fromXContent(XContentParser parser, Function<String, RecommendModel> models) throws IOException {
        Draft draft = new Draft();
        try {
            PARSER.parse(parser, draft, null);
        } catch (XContentParseException e) {
            throw bracketFieldName(e);
        }
        RecommendModel model = draft.model == null ? null : models.apply(draft.model);
        if (draft.model != null) {
            ModelDefaults.apply(model != null ? model : ModelDefaults.standIn(draft.model), draft);
        } else if (draft.userId != null) {
            throw new IllegalArgumentException("[user] must be an object {\"index\", \"id\"} unless a [model] names the users index");
        }
        float[] vector = null;
        if (draft.userVector != null) {
            vector = new float[draft.userVector.size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = draft.userVector.get(i);
            }
        }
        RecommendInputs inputs = new RecommendInputs(draft.userRef, vector, draft.history, draft.items, draft.likeText, false);
        RecommendQueryBuilder builder = new RecommendQueryBuilder(
            draft.model,
            inputs,
            draft.signals != null ? draft.signals : draft.modelSignals,
            draft.numCandidates,
            draft.exact,
            draft.excludeSeen,
            draft.exclude,
            draft.filter
        );
        builder.boost(draft.boost).queryName(draft.queryName);
        builder = draft.explainTerms ? builder : builder.explainTerms(false);
        return draft.model != null && model == null ? builder.withUnknownModel() : builder;
    }

    private RecommendQueryBuilder withUnknownModel() {
        return new RecommendQueryBuilder(this, explainTerms, handoffToken, pendingInputs, true);
    }

    private IllegalArgumentException unknownModelError() {
        return new IllegalArgumentException("[" + MODEL.getPreferredName() + "] unknown recommend model [" + model + "]");
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME);
        if (model != null) {
            builder.field(MODEL.getPreferredName(), model);
        }
        if (inputs.user() != null) {
            builder.field(USER.getPreferredName(), inputs.user());
        }
        if (inputs.userVector() != null) {
            builder.array(USER_VECTOR.getPreferredName(), inputs.userVector());
        }
        if (inputs.history() != null) {
            builder.xContentList(HISTORY.getPreferredName(), inputs.history());
        }
        if (inputs.items().isEmpty() == false) {
            builder.stringListField(ITEMS.getPreferredName(), inputs.items());
        }
        if (inputs.likeText().isEmpty() == false) {
            builder.stringListField(LIKE_TEXT.getPreferredName(), inputs.likeText());
        }
        if (signals != null) {
            Signals.toXContent(SIGNALS.getPreferredName(), signals, builder, params);
        }
        builder.field(NUM_CANDIDATES.getPreferredName(), numCandidates);
        builder.field(EXACT.getPreferredName(), exact);
        builder.field(EXCLUDE_SEEN.getPreferredName(), excludeSeen);
        if (exclude.isEmpty() == false) {
            builder.stringListField(EXCLUDE.getPreferredName(), exclude);
        }
        if (filter != null) {
            builder.field(FILTER.getPreferredName(), filter);
        }
        if (explainTerms == false) {
            builder.field(EXPLAIN_TERMS.getPreferredName(), false);
        }
        boostAndQueryNameToXContent(builder);
        builder.endObject();
    }

    @Override
    protected QueryBuilder doRewrite(QueryRewriteContext context) throws IOException {
        if (unknownModel) {
            throw unknownModelError();
        }
        if (pendingInputs != null) {
            RecommendInputs fetched = pendingInputs.get();
            return fetched == null ? this : withInputs(fetched);
        }
        if (filter != null) {
            QueryBuilder rewrittenFilter = filter.rewrite(context);
            if (rewrittenFilter != filter) {
                return copy(inputs, rewrittenFilter, exact);
            }
        }
        if (inputs.resolved()) {
            return this;
        }
        if (inputs.user() != null) {
            UserRef user = inputs.user();
            SetOnce<RecommendInputs> fetched = new SetOnce<>();
            context.registerAsyncAction((client, listener) -> ProfileLookup.fetch(user, client, listener.map(profile -> {
                fetched.set(inputsWith(profile));
                return null;
            })));
            return new RecommendQueryBuilder(this, fetched::get);
        }
        return lookupItems(context);
    }

    /** The inputs with the user replaced by their profile; inline vector or history sent with the user win over it. */
    private RecommendInputs inputsWith(ProfileLookup.Profile profile) {
        float[] vector = inputs.userVector() != null ? inputs.userVector() : profile.vector();
        List<HistoryItem> history = inputs.history() != null ? inputs.history() : profile.history();
        return new RecommendInputs(null, vector, history, inputs.items(), inputs.likeText(), false, false, profile.seen());
    }

    /**
     * This query with its user's profile read now, for a caller that runs several searches for one request (the
     * {@code _recommend} endpoint): its searches skip the lookup, and the caller knows the history. Fails like the lookup
     * in rewrite does ({@code [user] [u42] not found in index [users]}); without a user, completes with this query.
     */
    public void resolveProfile(Client client, ActionListener<RecommendQueryBuilder> listener) {
        UserRef user = inputs.user();
        if (user == null || pendingInputs != null) {
            listener.onResponse(this);
            return;
        }
        ProfileLookup.fetch(user, client, listener.map(profile -> withInputs(inputsWith(profile))));
    }

    /** Second lookup step: the history's content and the seeds' factors, from the indices being searched. */
    private QueryBuilder lookupItems(QueryRewriteContext context) {
        SignalSpec content = Signals.find(signals, SignalKind.CONTENT);
        SignalSpec collaborative = signals == null
            ? SignalSpec.defaultFor(SignalKind.COLLABORATIVE)
            : Signals.find(signals, SignalKind.COLLABORATIVE);
        List<HistoryItem> history = inputs.effectiveHistory();
        List<HistoryItem> recent = history.subList(Math.max(0, history.size() - ItemLookup.MAX_CONTENT_ITEMS), history.size());
        List<String> contentIds = content == null ? List.of() : recent.stream().map(HistoryItem::item).toList();
        List<String> seedIds = inputs.userVector() == null && collaborative != null ? inputs.items() : List.of();
        ResolvedIndices resolvedIndices = context.getResolvedIndices();
        if ((contentIds.isEmpty() && seedIds.isEmpty()) || resolvedIndices == null) {
            return withInputs(inputs.resolvedWith(inputs.userVector(), inputs.history(), List.of()));
        }
        String[] concrete = Arrays.stream(resolvedIndices.getConcreteLocalIndices()).map(Index::getName).toArray(String[]::new);
        if (concrete.length == 0) {
            return withInputs(inputs.resolvedWith(inputs.userVector(), inputs.history(), List.of()));
        }
        // Look the items up by the names the caller searched (an alias, a pattern), not by the indices behind them: index
        // privileges are granted per name, and a caller who may read the alias only may not read its index by name.
        OriginalIndices original = resolvedIndices.getLocalIndices();
        String[] indices = original == null || original.indices().length == 0 ? concrete : original.indices();
        // a multi-get reads one index by one plain name (an index, or an alias of one index); anything else is searched
        boolean multiGet = concrete.length == 1 && indices.length == 1 && Regex.isSimpleMatchPattern(indices[0]) == false
            && indices[0].startsWith("-") == false;
        if (seedIds.isEmpty() && ShardContent.readableOnShard(resolvedIndices)) {
            // one index with one shard: the shard reads the history's text itself, side by side with the other generators
            return withInputs(inputs.resolvedWithContentOnShard(inputs.userVector(), inputs.history()));
        }
        SetOnce<RecommendInputs> fetched = new SetOnce<>();
        List<String> contentFields = content == null ? List.of() : content.fields();
        String vectorField = seedIds.isEmpty() ? null : collaborative.field();
        context.registerAsyncAction((client, listener) -> ItemLookup.fetch(indices, multiGet, contentIds, contentFields, seedIds,
            vectorField, client, listener.map(found -> {
                float[] vector = inputs.userVector() != null ? inputs.userVector() : Vectors.mean(found.seedVectors());
                fetched.set(inputs.resolvedWith(vector, inputs.history(), found.texts()));
                return null;
            })));
        return new RecommendQueryBuilder(this, fetched::get);
    }

    @Override
    protected Query doToQuery(SearchExecutionContext context, MaxClauseCountQueryVisitor visitor) throws IOException {
        if (inputs.resolved() == false || pendingInputs != null) {
            throw new IllegalStateException("recommend query was not rewritten before execution: missing a rewriteAndFetch?");
        }
        return new ShardQueryPlanner(this, context, visitor).plan();
    }

    /**
     * The same query scoring only the documents of {@code restriction}, exactly (every restricted document is scored, no
     * candidate generator runs): how a page already chosen from a wider window is scored and explained cheaply.
     */
    public RecommendQueryBuilder scoringOnly(QueryBuilder restriction) {
        QueryBuilder restricted = filter == null ? restriction : QueryBuilders.boolQuery().filter(filter).filter(restriction);
        return copy(inputs, restricted, true);
    }

    private RecommendQueryBuilder withInputs(RecommendInputs newInputs) {
        return copy(newInputs, filter, exact);
    }

    /** This query with other inputs, filter or exactness; everything else, boost, name and explain_terms included, kept. */
    private RecommendQueryBuilder copy(RecommendInputs newInputs, QueryBuilder newFilter, boolean newExact) {
        RecommendQueryBuilder copy = new RecommendQueryBuilder(
            model,
            newInputs,
            signals,
            numCandidates,
            newExact,
            excludeSeen,
            exclude,
            newFilter
        );
        copy.boost(boost()).queryName(queryName());
        return new RecommendQueryBuilder(copy, explainTerms, handoffToken, null, unknownModel);
    }

    /** A copy whose explanations give the content signal's BM25 score with ({@code true}) or without its per-term breakdown. */
    public RecommendQueryBuilder explainTerms(boolean withTerms) {
        return new RecommendQueryBuilder(this, withTerms, handoffToken, pendingInputs, unknownModel);
    }

    /**
     * A copy whose candidates are handed from the query phase to the fetch phase of the one request that carries this
     * token (not 0), for a fetch phase that explains its hits.
     */
    public RecommendQueryBuilder handoffToken(long token) {
        return new RecommendQueryBuilder(this, explainTerms, token, pendingInputs, unknownModel);
    }

    long handoffToken() {
        return handoffToken;
    }

    private RecommendQueryBuilder(
        RecommendQueryBuilder template,
        boolean explainTerms,
        long handoffToken,
        Supplier<RecommendInputs> pendingInputs,
        boolean unknownModel
    ) {
        this.model = template.model;
        this.inputs = template.inputs;
        this.signals = template.signals;
        this.numCandidates = template.numCandidates;
        this.exact = template.exact;
        this.excludeSeen = template.excludeSeen;
        this.exclude = template.exclude;
        this.filter = template.filter;
        this.explainTerms = explainTerms;
        this.handoffToken = handoffToken;
        this.pendingInputs = pendingInputs;
        this.unknownModel = unknownModel;
        boost(template.boost());
        queryName(template.queryName());
    }

    public String model() {
        return model;
    }

    public RecommendInputs inputs() {
        return inputs;
    }

    /** The signals named in the query, or null when it relies on the defaults. */
    public List<SignalSpec> signals() {
        return signals;
    }

    public int numCandidates() {
        return numCandidates;
    }

    public boolean exact() {
        return exact;
    }

    public boolean excludeSeen() {
        return excludeSeen;
    }

    public List<String> exclude() {
        return exclude;
    }

    public QueryBuilder filter() {
        return filter;
    }

    public boolean explainTerms() {
        return explainTerms;
    }

    @Override
    protected boolean doEquals(RecommendQueryBuilder other) {
        return Objects.equals(model, other.model)
            && inputs.equals(other.inputs)
            && Objects.equals(signals, other.signals)
            && numCandidates == other.numCandidates
            && exact == other.exact
            && excludeSeen == other.excludeSeen
            && exclude.equals(other.exclude)
            && Objects.equals(filter, other.filter)
            && explainTerms == other.explainTerms
            && handoffToken == other.handoffToken
            && Objects.equals(pendingInputs, other.pendingInputs)
            && unknownModel == other.unknownModel;
    }

    @Override
    protected int doHashCode() {
        return Objects.hash(model, inputs, signals, numCandidates, exact, excludeSeen, exclude, filter, explainTerms, handoffToken,
            pendingInputs, unknownModel);
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    @Override
    public TransportVersion getMinimalSupportedVersion() {
        return TransportVersion.minimumCompatible();
    }

    private static Object parseUser(XContentParser parser, Void context) throws IOException {
        return parser.currentToken() == XContentParser.Token.VALUE_STRING ? parser.text() : UserRef.fromXContent(parser);
    }

    private static List<String> parseStringOrArray(XContentParser parser, Void context) throws IOException {
        if (parser.currentToken() == XContentParser.Token.VALUE_STRING) {
            return List.of(parser.text());
        }
        List<String> values = new ArrayList<>();
        while (parser.nextToken() != XContentParser.Token.END_ARRAY) {
            if (parser.currentToken() != XContentParser.Token.VALUE_STRING) {
                throw new IllegalArgumentException("[" + LIKE_TEXT.getPreferredName() + "] must be a string or an array of strings");
            }
            values.add(parser.text());
        }
        return values;
    }

    private static final Pattern WRONG_TYPE = Pattern.compile("^\\[(\\w+)\\] (\\w+) doesn't support values of type: (\\w+)$");

    /** ObjectParser says "[recommend] exclude_seen doesn't support…": put the field in brackets, as every other error does. */
    private static XContentParseException bracketFieldName(XContentParseException e) {
        Matcher m = WRONG_TYPE.matcher(e.getMessage().replaceFirst("^\\[\\d+:\\d+\\] ", ""));
        if (m.matches()) {
            return new XContentParseException(
                e.getLocation(),
                "[" + m.group(1) + "] field [" + m.group(2) + "] doesn't support values of type: " + m.group(3),
                e
            );
        }
        return e;
    }

    /** Mutable holder while parsing; the builder's constructor validates the result. */
    static final class Draft {
        String model;
        UserRef userRef;
        String userId;
        List<SignalSpec> modelSignals;
        List<Float> userVector;
        List<HistoryItem> history;
        List<String> items = List.of();
        List<String> likeText = List.of();
        List<SignalSpec> signals;
        int numCandidates = DEFAULT_NUM_CANDIDATES;
        boolean exact;
        boolean explainTerms = true;
        boolean excludeSeen = true;
        List<String> exclude = List.of();
        QueryBuilder filter;
        float boost = DEFAULT_BOOST;
        String queryName;

        void user(Object value) {
            if (value instanceof UserRef ref) {
                userRef = ref;
            } else {
                userId = (String) value;
            }
        }
    }

    private static void declareStandardFields(ObjectParser<Draft, Void> parser) {
        parser.declareFloat((d, v) -> d.boost = v, BOOST_FIELD);
        parser.declareString((d, v) -> d.queryName = v, NAME_FIELD);
    }
}
