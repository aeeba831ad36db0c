package org.recsys.recommend.action;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.recsys.recommend.query.RecommendQueryBuilder;

import java.io.IOException;

/**
 * One {@code _recommend} request (one entry of a batch): the recommend query plus what the endpoint adds around it — page,
 * diversity, dithering, backfill, and what to return. A batch entry that failed to parse carries its error instead.
 */
public record RecommendSpec(
    RecommendQueryBuilder query,
    int size,
    int from,
    Diversity diversity,
    Dither dither,
    Backfill backfill,
    UnknownUser unknownUser,
    boolean explain,
    FetchSourceContext fetchSource,
    String popularityField,
    Exception parseError
) implements Writeable {

    public static final int DEFAULT_SIZE = 10;
    public static final int MAX_SIZE = 1_000;
    public static final int MAX_WINDOW = 10_000;

    /** What to do for a user id that has no profile: fail (the default), or serve backfill only. */
    public enum UnknownUser {
        ERROR,
        BACKFILL
    }

    /** Per-value caps on a field ({@code maxPerValue} > 0), or MMR over a vector field ({@code mmrLambda} set). */
    public record Diversity(String field, int maxPerValue, Double mmrLambda) implements Writeable {
        public Diversity {
            if (field == null || field.isEmpty()) {
                throw new IllegalArgumentException("[diversity.field] must be a non-empty field name");
            }
            if (mmrLambda == null && maxPerValue < 1) {
                throw new IllegalArgumentException("[diversity.max_per_value] must be >= 1, got [" + maxPerValue + "]");
            }
            if (mmrLambda != null && (Double.isFinite(mmrLambda) == false || mmrLambda < 0 || mmrLambda > 1)) {
                throw new IllegalArgumentException("[diversity.mmr.lambda] must be between 0 and 1, got [" + mmrLambda + "]");
            }
        }

        Diversity(StreamInput in) throws IOException {
            this(in.readString(), in.readVInt(), in.readOptionalDouble());
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            out.writeString(field);
            out.writeVInt(maxPerValue);
            out.writeOptionalDouble(mmrLambda);
        }
    }

    /** Seeded dithering: ε ≥ 1 (1 is off); the seed is mixed with the user so each user rotates differently. */
    public record Dither(long seed, double epsilon) implements Writeable {
        public Dither {
            if (Double.isFinite(epsilon) == false || epsilon < 1) {
                throw new IllegalArgumentException("[dither.epsilon] must be a finite number >= 1, got [" + epsilon + "]");
            }
        }

        Dither(StreamInput in) throws IOException {
            this(in.readLong(), in.readDouble());
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            out.writeLong(seed);
            out.writeDouble(epsilon);
        }
    }

    /** Fills the page when recommendations run short: by popularity (default), with any query, or not at all. */
    public record Backfill(boolean enabled, QueryBuilder query) implements Writeable {
        public static final Backfill POPULARITY = new Backfill(true, null);
        public static final Backfill NONE = new Backfill(false, null);

        Backfill(StreamInput in) throws IOException {
            this(in.readBoolean(), in.readOptionalNamedWriteable(QueryBuilder.class));
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            out.writeBoolean(enabled);
            out.writeOptionalNamedWriteable(query);
        }
    }

    public RecommendSpec {
        if (parseError == null) {
            if (size < 0 || size > MAX_SIZE) {
                throw new IllegalArgumentException("[size] must be between 0 and " + MAX_SIZE + ", got [" + size + "]");
            }
            if (from < 0 || (long) from + size > MAX_WINDOW) { // as a long: a huge [from] must not wrap around
                throw new IllegalArgumentException(
                    "[from] must be >= 0 and [from] + [size] at most " + MAX_WINDOW + ", got [" + from + "] + [" + size + "]"
                );
            }
        }
    }

    public static RecommendSpec failed(Exception e) {
        return new RecommendSpec(null, 0, 0, null, null, Backfill.NONE, UnknownUser.ERROR, false, null, null, e);
    }

    public RecommendSpec(StreamInput in) throws IOException {
        this(
            in.readOptionalWriteable(RecommendQueryBuilder::new),
            in.readVInt(),
            in.readVInt(),
            in.readOptionalWriteable(Diversity::new),
            in.readOptionalWriteable(Dither::new),
            new Backfill(in),
            in.readEnum(UnknownUser.class),
            in.readBoolean(),
            in.readOptionalWriteable(FetchSourceContext::readFrom),
            in.readOptionalString(),
            in.readException()
        );
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeOptionalWriteable(query);
        out.writeVInt(size);
        out.writeVInt(from);
        out.writeOptionalWriteable(diversity);
        out.writeOptionalWriteable(dither);
        backfill.writeTo(out);
        out.writeEnum(unknownUser);
        out.writeBoolean(explain);
        out.writeOptionalWriteable(fetchSource);
        out.writeOptionalString(popularityField);
        out.writeException(parseError);
    }
}
