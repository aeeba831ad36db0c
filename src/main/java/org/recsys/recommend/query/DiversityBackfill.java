package org.recsys.recommend.query;

import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.SortField;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.index.fielddata.IndexFieldData;
import org.elasticsearch.index.fielddata.IndexNumericFieldData;
import org.elasticsearch.index.fielddata.SortedNumericDoubleValues;
import org.elasticsearch.index.mapper.MappedFieldType;
import org.elasticsearch.index.mapper.NumberFieldMapper;
import org.elasticsearch.index.query.IdsQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.MultiValueMode;
import org.elasticsearch.xcontent.ConstructingObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.recsys.recommend.blend.ShardBackfill;

import java.io.IOException;
import java.util.List;
import java.util.function.Function;

import static org.elasticsearch.index.query.AbstractQueryBuilder.parseTopLevelQuery;
import static org.elasticsearch.xcontent.ConstructingObjectParser.constructorArg;
import static org.elasticsearch.xcontent.ConstructingObjectParser.optionalConstructorArg;

/**
 * The {@code backfill} option of the {@code recommend_diversity} rescorer: when the caps leave a shard fewer than
 * {@code size} hits, the shard adds its most popular documents by {@code sort_field} that pass {@code filter}, are not in
 * {@code exclude} and fit the caps, scored below every recommendation ({@link ShardBackfill}).
 * <pre>
 * "backfill": { "size": 10, "sort_field": "popularity", "filter": { "term": { "in_stock": true } }, "exclude": ["i7"] }
 * </pre>
 */
public record DiversityBackfill(int size, String sortField, QueryBuilder filter, List<String> exclude)
    implements
        Writeable,
        ToXContentObject {

    static final String PREFIX = DiversityRescorerBuilder.NAME + ".backfill";
    static final ParseField SIZE = new ParseField("size");
    static final ParseField SORT_FIELD = new ParseField("sort_field");
    static final ParseField FILTER = new ParseField("filter");
    static final ParseField EXCLUDE = new ParseField("exclude");

    @SuppressWarnings("unchecked")
    static final ConstructingObjectParser<DiversityBackfill, Void> PARSER = new ConstructingObjectParser<>(
        "backfill",
        args -> new DiversityBackfill((Integer) args[0], (String) args[1], (QueryBuilder) args[2], (List<String>) args[3])
    );

    static {
        PARSER.declareInt(constructorArg(), SIZE);
        PARSER.declareString(constructorArg(), SORT_FIELD);
        PARSER.declareObject(optionalConstructorArg(), (p, c) -> parseTopLevelQuery(p), FILTER);
        PARSER.declareStringArray(optionalConstructorArg(), EXCLUDE);
    }

    public DiversityBackfill {
        if (size < 1 || size > 10_000) {
            throw new IllegalArgumentException("[" + PREFIX + ".size] must be between 1 and 10000, got [" + size + "]");
        }
        if (sortField == null || sortField.isBlank()) {
            throw new IllegalArgumentException("[" + PREFIX + ".sort_field] must name a numeric field");
        }
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
    }

    DiversityBackfill(StreamInput in) throws IOException {
        this(in.readVInt(), in.readString(), in.readOptionalNamedWriteable(QueryBuilder.class), in.readStringCollectionAsList());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeVInt(size);
        out.writeString(sortField);
        out.writeOptionalNamedWriteable(filter);
        out.writeStringCollection(exclude);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field(SIZE.getPreferredName(), size);
        builder.field(SORT_FIELD.getPreferredName(), sortField);
        if (filter != null) {
            builder.field(FILTER.getPreferredName(), filter);
        }
        if (exclude.isEmpty() == false) {
            builder.stringListField(EXCLUDE.getPreferredName(), exclude);
        }
        return builder.endObject();
    }

    DiversityBackfill rewrite(QueryRewriteContext context) throws IOException {
        QueryBuilder rewritten = filter == null ? null : filter.rewrite(context);
        return rewritten == filter ? this : new DiversityBackfill(size, sortField, rewritten, exclude);
    }

    /**
     * The shard's side; {@code withAnyValue} finds documents holding any of some capped values (null: field unmapped). With
     * {@code ignoreUnmapped}, an index without the sort field gets no backfill (null) instead of an error.
     */
    ShardBackfill toShard(SearchExecutionContext context, Function<List<String>, Query> withAnyValue, boolean ignoreUnmapped)
        throws IOException {
        if (ignoreUnmapped && context.isFieldMapped(sortField) == false) {
            return null;
        }
        MappedFieldType type = context.getFieldType(sortField);
        if (type instanceof NumberFieldMapper.NumberFieldType == false || type.hasDocValues() == false) {
            throw new IllegalArgumentException(
                "[" + PREFIX + ".sort_field] [" + sortField + "] must be a numeric field with doc values in index ["
                    + context.index().getName() + "]" + (type == null ? " (it is not mapped)" : " (type [" + type.typeName() + "])")
            );
        }
        IndexFieldData<?> data = context.getForField(type, MappedFieldType.FielddataOperation.SEARCH);
        SortField byPopularity = data.sortField(null, MultiValueMode.MAX, null, true);
        Query filterQuery = filter == null ? new MatchAllDocsQuery() : context.toQuery(filter).query();
        Query excluded = exclude.isEmpty() ? null : context.toQuery(new IdsQueryBuilder().addIds(exclude.toArray(String[]::new))).query();
        IndexNumericFieldData numbers = (IndexNumericFieldData) data;
        ShardBackfill.Popularity popularity = new ShardBackfill.Popularity(sortField, leaf -> {
            SortedNumericDoubleValues values = numbers.load(leaf).getDoubleValues();
            return doc -> {
                if (values.advanceExact(doc) == false) {
                    return Double.NaN;
                }
                double max = Double.NEGATIVE_INFINITY; // the sort's MAX: values come in ascending order
                for (int v = values.docValueCount(); v > 0; v--) {
                    max = values.nextValue();
                }
                return max;
            };
        }, atLeast -> type.rangeQuery(atLeast, null, true, true, null, null, null, context));
        return new ShardBackfill(size, filterQuery, excluded, byPopularity, withAnyValue, popularity);
    }

    static DiversityBackfill fromXContent(XContentParser parser) {
        return PARSER.apply(parser, null);
    }
}
