package org.recsys.recommend.query;

import org.elasticsearch.TransportVersion;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.index.fielddata.IndexFieldData;
import org.elasticsearch.index.mapper.MappedFieldType;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.DocValueFormat;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.search.rescore.RescorerBuilder;
import org.elasticsearch.xcontent.ConstructingObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.recsys.recommend.blend.PerValueCapRescorer;
import org.recsys.recommend.blend.ShardBackfill;

import java.io.IOException;
import java.util.Objects;

import static org.elasticsearch.xcontent.ConstructingObjectParser.constructorArg;
import static org.elasticsearch.xcontent.ConstructingObjectParser.optionalConstructorArg;

/**
 * The {@code recommend_diversity} rescorer: per-value caps over each shard's top hits, in {@code _search} as in
 * {@code _recommend}.
 * <pre>
 * GET items/_search
 * { "query": { "recommend": { "model": "movies", "user": "u42" } },
 *   "rescore": { "window_size": 300, "recommend_diversity": { "field": "genres", "max_per_value": 3 } } }
 * </pre>
 * A hit is dropped when one of its values of {@code field} was already kept {@code max_per_value} times higher up; kept
 * hits keep their scores. The caps hold per shard, so with one shard every page obeys them; with several, the merged page
 * can hold up to one cap per shard of a value ({@code _recommend} re-checks the merged page and falls back to a global
 * re-ranking when that happens).
 */
public final class DiversityRescorerBuilder extends RescorerBuilder<DiversityRescorerBuilder> {

    public static final String NAME = "recommend_diversity";
    static final ParseField FIELD = new ParseField("field");
    static final ParseField MAX_PER_VALUE = new ParseField("max_per_value");
    static final ParseField IGNORE_UNMAPPED = new ParseField("ignore_unmapped");
    static final ParseField BACKFILL = new ParseField("backfill");

    private static final ConstructingObjectParser<DiversityRescorerBuilder, Void> PARSER = new ConstructingObjectParser<>(
        NAME,
        args -> new DiversityRescorerBuilder((String) args[0], (Integer) args[1], Boolean.TRUE.equals(args[2]), (DiversityBackfill) args[3])
    );

    static {
        PARSER.declareString(constructorArg(), FIELD);
        PARSER.declareInt(constructorArg(), MAX_PER_VALUE);
        PARSER.declareBoolean(optionalConstructorArg(), IGNORE_UNMAPPED);
        PARSER.declareObject(optionalConstructorArg(), (p, c) -> DiversityBackfill.fromXContent(p), BACKFILL);
    }

    private final String field;
    private final int maxPerValue;
    private final boolean ignoreUnmapped;
    private final DiversityBackfill backfill; // null: a short page stays short

    public DiversityRescorerBuilder(String field, int maxPerValue, boolean ignoreUnmapped) {
        this(field, maxPerValue, ignoreUnmapped, null);
    }

    public DiversityRescorerBuilder(String field, int maxPerValue, boolean ignoreUnmapped, DiversityBackfill backfill) {
        if (field == null || field.isBlank()) {
            throw new IllegalArgumentException("[" + NAME + "." + FIELD.getPreferredName() + "] must name a field");
        }
        if (maxPerValue < 1) {
            throw new IllegalArgumentException(
                "[" + NAME + "." + MAX_PER_VALUE.getPreferredName() + "] must be >= 1, got [" + maxPerValue + "]"
            );
        }
        this.field = field;
        this.maxPerValue = maxPerValue;
        this.ignoreUnmapped = ignoreUnmapped;
        this.backfill = backfill;
    }

    public DiversityRescorerBuilder(StreamInput in) throws IOException {
        super(in);
        field = in.readString();
        maxPerValue = in.readVInt();
        ignoreUnmapped = in.readBoolean();
        backfill = in.readOptionalWriteable(DiversityBackfill::new);
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        out.writeString(field);
        out.writeVInt(maxPerValue);
        out.writeBoolean(ignoreUnmapped);
        out.writeOptionalWriteable(backfill);
    }

    public static DiversityRescorerBuilder fromXContent(XContentParser parser) {
        return PARSER.apply(parser, null);
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME);
        builder.field(FIELD.getPreferredName(), field);
        builder.field(MAX_PER_VALUE.getPreferredName(), maxPerValue);
        builder.field(IGNORE_UNMAPPED.getPreferredName(), ignoreUnmapped);
        if (backfill != null) {
            builder.field(BACKFILL.getPreferredName(), backfill);
        }
        builder.endObject();
    }

    @Override
    protected RescoreContext innerBuildContext(int windowSize, SearchExecutionContext context) throws IOException {
        if (context.isFieldMapped(field) == false) {
            if (ignoreUnmapped == false) {
                throw new IllegalArgumentException(
                    "[" + NAME + "." + FIELD.getPreferredName() + "] [" + field + "] is not mapped in index [" + context.index().getName()
                        + "]"
                );
            }
            ShardBackfill shardBackfill = backfill == null ? null : backfill.toShard(context, null, true);
            return new RescoreContext(windowSize, new PerValueCapRescorer(maxPerValue, null, shardBackfill));
        }
        MappedFieldType type = context.getFieldType(field);
        if (type.isAggregatable() == false) {
            throw new IllegalArgumentException(
                "[" + NAME + "." + FIELD.getPreferredName() + "] [" + field + "] has no doc values: per-value caps need a keyword, "
                    + "numeric, boolean or date field (type [" + type.typeName() + "])"
            );
        }
        IndexFieldData<?> data = context.getForField(type, MappedFieldType.FielddataOperation.SEARCH);
        DocValueFormat format = type.docValueFormat(null, null);
        // values come back formatted (as docvalue_fields shows them); the field parses them back for the exclusion query
        ShardBackfill shardBackfill = backfill == null ? null : backfill.toShard(
            context,
            values -> type.termsQuery(values, context),
            ignoreUnmapped
        );
        return new RescoreContext(
            windowSize,
            new PerValueCapRescorer(maxPerValue, leaf -> OrdinalFormattedValues.of(data.load(leaf), format), shardBackfill)
        );
    }

    @Override
    public RescorerBuilder<DiversityRescorerBuilder> rewrite(QueryRewriteContext context) throws IOException {
        DiversityBackfill rewritten = backfill == null ? null : backfill.rewrite(context);
        if (rewritten == backfill) {
            return this;
        }
        DiversityRescorerBuilder copy = new DiversityRescorerBuilder(field, maxPerValue, ignoreUnmapped, rewritten);
        return windowSize == null ? copy : copy.windowSize(windowSize);
    }

    public String field() {
        return field;
    }

    public int maxPerValue() {
        return maxPerValue;
    }

    public boolean ignoreUnmapped() {
        return ignoreUnmapped;
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    @Override
    public TransportVersion getMinimalSupportedVersion() {
        return TransportVersion.minimumCompatible();
    }

    @Override
    public boolean equals(Object o) {
        if (super.equals(o) == false) {
            return false;
        }
        DiversityRescorerBuilder other = (DiversityRescorerBuilder) o;
        return field.equals(other.field)
            && maxPerValue == other.maxPerValue
            && ignoreUnmapped == other.ignoreUnmapped
            && Objects.equals(backfill, other.backfill);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), field, maxPerValue, ignoreUnmapped, backfill);
    }
}
