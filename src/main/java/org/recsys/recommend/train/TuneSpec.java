package org.recsys.recommend.train;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;

/**
 * The {@code tune} section of {@code _train}: a validation split carved from the events (per user, seeded) on which the
 * training chooses its own λ, α, neighbor family and blend weights before it trains on every event.
 *
 * <pre>
 * "tune": { "validation": 0.2, "seed": 42, "max_users": 2000, "max_time": "5m" }
 * </pre>
 */
public record TuneSpec(double validation, long seed, int maxUsers, TimeValue maxTime) implements Writeable {

    public static final double DEFAULT_VALIDATION = 0.2;
    public static final int DEFAULT_MAX_USERS = 2000;
    public static final TimeValue DEFAULT_MAX_TIME = TimeValue.timeValueMinutes(5);

    static final ParseField VALIDATION = new ParseField("validation");
    static final ParseField SEED = new ParseField("seed");
    static final ParseField MAX_USERS = new ParseField("max_users");
    static final ParseField MAX_TIME = new ParseField("max_time");

    public TuneSpec {
        if (Double.isFinite(validation) == false || validation <= 0 || validation > 0.5) {
            throw new IllegalArgumentException("[tune.validation] must be a share of each user's events > 0 and <= 0.5, got ["
                + validation + "]");
        }
        if (maxUsers < 10 || maxUsers > 100_000) {
            throw new IllegalArgumentException("[tune.max_users] must be between 10 and 100000, got [" + maxUsers + "]");
        }
        if (maxTime == null || maxTime.millis() <= 0) {
            throw new IllegalArgumentException("[tune.max_time] must be a positive time, got [" + maxTime + "]");
        }
    }

    public TuneSpec(StreamInput in) throws IOException {
        this(in.readDouble(), in.readLong(), in.readVInt(), in.readTimeValue());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeDouble(validation);
        out.writeLong(seed);
        out.writeVInt(maxUsers);
        out.writeTimeValue(maxTime);
    }

    /** Parses the section into a draft: its seed defaults to the training's ALS seed, which the body may give after it. */
    static Draft fromXContent(XContentParser parser) throws IOException {
        return PARSER.parse(parser, new Draft(), null);
    }

    private static final ObjectParser<Draft, Void> PARSER = new ObjectParser<>("tune");

    static {
        PARSER.declareDouble((d, v) -> d.validation = v, VALIDATION);
        PARSER.declareLong((d, v) -> d.seed = v, SEED);
        PARSER.declareInt((d, v) -> d.maxUsers = v, MAX_USERS);
        PARSER.declareString((d, v) -> d.maxTime = TimeValue.parseTimeValue(v, MAX_TIME.getPreferredName()), MAX_TIME);
    }

    static final class Draft {
        double validation = DEFAULT_VALIDATION;
        Long seed;
        int maxUsers = DEFAULT_MAX_USERS;
        TimeValue maxTime = DEFAULT_MAX_TIME;

        TuneSpec build(long alsSeed) {
            return new TuneSpec(validation, seed == null ? alsSeed : seed, maxUsers, maxTime);
        }
    }
}
