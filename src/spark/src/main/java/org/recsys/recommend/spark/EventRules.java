package org.recsys.recommend.spark;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;

/**
 * One event, as read, to one (user, item, weight, timestamp) row, by the plugin's rules: an event without a user or item is
 * skipped (and counted); its weight is the weight field when there is one (a finite number >= 0, else the job fails naming
 * the event), else its action's weight from {@code --action-weights} (an action without one fails), else 1. Its timestamp
 * is kept as text for the history ({@code ts}: the ISO-8601 UTC instant of a date field) and as epoch millis for the order.
 *
 * <p>One rule of the job's own: a user or item whose staged document id ({@code <run_id>:user:<id>}) would pass the 512
 * bytes an {@code _id} may have is skipped as well, counted apart; otherwise one such id would fail a whole write.
 */
final class EventRules implements Serializable {

    private static final long serialVersionUID = 1L;
    /** Why an event was skipped: it lacks a user or an item. */
    static final String MISSING = "missing";
    /** Why an event was skipped: its user or item id is too long for a staged document id. */
    static final String LONG_ID = "long_id";
    static final int MAX_ID_BYTES = 512;

    /** The input: the columns {@link EventReader} selects, in this order. */
    static final int USER = 0;
    static final int ITEM = 1;
    static final int WEIGHT = 2;
    static final int ACTION = 3;
    static final int TS = 4;
    static final int ID = 5;

    /** The output: user and item null (and {@code skip} set) for a skipped event. */
    static final StructType PARSED = new StructType().add("user", DataTypes.StringType)
        .add("item", DataTypes.StringType)
        .add("weight", DataTypes.DoubleType)
        .add("ts", DataTypes.StringType)
        .add("ts_millis", DataTypes.LongType)
        .add("skip", DataTypes.StringType);

    private final String runId;
    private final String weightField;
    private final String actionField;
    private final String timestampField;
    private final LinkedHashMap<String, Double> actionWeights; // null: actions are not read

    EventRules(JobOptions options) {
        this.runId = options.runId();
        this.weightField = options.weightField();
        this.actionField = options.actionField();
        this.timestampField = options.timestampField();
        this.actionWeights = options.actionWeights() == null ? null : new LinkedHashMap<>(options.actionWeights());
    }

    Row apply(Row event) {
        String user = (String) event.get(USER);
        String item = (String) event.get(ITEM);
        if (user == null || item == null) {
            return RowFactory.create(null, null, 0.0, null, null, MISSING);
        }
        if (tooLong("user", user) || tooLong("item", item)) {
            return RowFactory.create(null, null, 0.0, null, null, LONG_ID);
        }
        double weight = weight(event, user, item);
        Object raw = event.get(TS);
        String ts = null;
        Long millis = null;
        if (raw instanceof Timestamp timestamp) {
            raw = timestamp.toInstant();
        }
        if (raw instanceof Instant instant) {
            // a date field, parsed by the connector: written back as an ISO-8601 instant in UTC
            ts = instant.toString();
            millis = instant.toEpochMilli();
        } else if (raw != null) {
            // not a date field (a keyword, a long): kept as the event has it, read for the order only
            ts = raw.toString();
            millis = Timestamps.millis(ts);
            if (millis == null) {
                throw new IllegalArgumentException("[" + timestampField + "] of " + name(event, user, item) + " is [" + ts
                    + "], which is neither an ISO-8601 date nor epoch milliseconds: the job cannot order the history by it");
            }
        }
        return RowFactory.create(user, item, weight, ts, millis, null);
    }

    private boolean tooLong(String kind, String id) {
        return (runId + ":" + kind + ":" + id).getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES;
    }

    private double weight(Row event, String user, String item) {
        Object raw = event.get(WEIGHT);
        if (raw == null) {
            return actionWeight(event, user, item);
        }
        double weight;
        if (raw instanceof Number number) {
            weight = number.doubleValue();
        } else if (raw instanceof String text) {
            try {
                weight = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                weight = Double.NaN;
            }
        } else {
            weight = Double.NaN; // a list or an object: no single weight, as in the plugin
        }
        if (Double.isFinite(weight) == false || weight < 0) {
            throw new IllegalArgumentException("[" + weightField + "] of " + name(event, user, item)
                + " must be a finite number >= 0, got [" + raw + "]");
        }
        return weight;
    }

    private double actionWeight(Row event, String user, String item) {
        Object action = actionWeights == null ? null : event.get(ACTION);
        if (action == null) {
            return 1;
        }
        Double weight = actionWeights.get(action.toString());
        if (weight == null) {
            throw new IllegalArgumentException("[" + actionField + "] of " + name(event, user, item) + " is [" + action
                + "], which [--action-weights] gives no weight (it knows " + actionWeights.keySet() + ")");
        }
        return weight;
    }

    /** The event as an error names it: its _id, or its user and item when the _id did not come with it. */
    private static String name(Row event, String user, String item) {
        Object id = event.get(ID);
        return id != null ? "event [" + id + "]" : "the event of user [" + user + "] on item [" + item + "]";
    }
}
