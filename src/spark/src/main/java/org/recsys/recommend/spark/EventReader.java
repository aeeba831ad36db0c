package org.recsys.recommend.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.storage.StorageLevel;

import java.util.Arrays;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Reads a model's events through the connector and sums them per (user, item), as the plugin's {@code _train} does
 * (repeated events add up), keeping each pair's latest timestamp for the history's order. One pass over the index: the
 * skipped events are grouped apart and counted from the same aggregate.
 */
final class EventReader {

    /** The connector's column of document metadata ({@code _id}, {@code _index}), read to name a faulty event. */
    static final String METADATA = "_metadata";

    /**
     * The (user, item) pairs (columns {@code user, item, weight, ts, ts_millis, events}, persisted), how many events they
     * sum, and how many were skipped: without a user or item, or with an id too long to stage.
     */
    record Events(Dataset<Row> pairs, long used, long skippedMissing, long skippedLongIds) {
        long skipped() {
            return skippedMissing + skippedLongIds;
        }

        long read() {
            return used + skipped();
        }
    }

    private EventReader() {}

    static Events read(SparkSession spark, JobOptions options) {
        Dataset<Row> raw = spark.read().format("es").options(ConnectorSettings.read(options)).load(options.eventsIndex());
        // Fields the events' mapping lacks are not columns at all: they read as missing, exactly as absent values would.
        Dataset<Row> selected = raw.select(
            field(raw, options.userField(), DataTypes.StringType),
            field(raw, options.itemField(), DataTypes.StringType),
            field(raw, options.weightField(), null), // as mapped: a number, or a string to check by hand
            options.actionWeights() == null
                ? lit(null).cast(DataTypes.StringType)
                : field(raw, options.actionField(), DataTypes.StringType),
            timestamp(raw, options.timestampField()),
            col(METADATA).getItem("_id")
        );
        EventRules rules = new EventRules(options);
        JavaRDD<Row> parsed = selected.javaRDD().map(rules::apply);
        Dataset<Row> grouped = spark.createDataFrame(parsed, EventRules.PARSED)
            .groupBy("user", "item", "skip")
            .agg(
                sum("weight").as("weight"),
                max_by(col("ts"), col("ts_millis")).as("ts"), // null when no event of the pair has a timestamp
                max("ts_millis").as("ts_millis"),
                count(lit(1)).as("events")
            )
            .persist(StorageLevel.MEMORY_AND_DISK());
        Row totals = grouped.agg(
            sum(when(col("skip").isNull(), col("events")).otherwise(0)),
            sum(when(col("skip").equalTo(EventRules.MISSING), col("events")).otherwise(0)),
            sum(when(col("skip").equalTo(EventRules.LONG_ID), col("events")).otherwise(0))
        ).first();
        Dataset<Row> pairs = grouped.filter(col("skip").isNull()).drop("skip");
        return new Events(pairs, longOrZero(totals, 0), longOrZero(totals, 1), longOrZero(totals, 2));
    }

    private static long longOrZero(Row row, int i) {
        return row.isNullAt(i) ? 0 : row.getLong(i);
    }

    /** The column of a (possibly dotted, object) field, cast when {@code type} is given; a null literal when not mapped. */
    private static Column field(Dataset<Row> raw, String name, DataType type) {
        Column column = typeOf(raw.schema(), name) != null ? col(quoted(name)) : lit(null);
        return type == null ? column : column.cast(type);
    }

    /**
     * The timestamp: a {@code date} field comes as a Spark timestamp (the connector parses ISO text and epoch numbers alike;
     * asked for the text instead, {@code es.mapping.date.rich: false}, it hands an epoch number over as a long in a string
     * column and the read fails); anything else (a keyword, a long) as its text.
     */
    private static Column timestamp(Dataset<Row> raw, String name) {
        return typeOf(raw.schema(), name) instanceof TimestampType ? col(quoted(name)) : field(raw, name, DataTypes.StringType);
    }

    /** The type of a field, following object fields through dots; null when the mapping has no such field. */
    private static DataType typeOf(StructType schema, String name) {
        DataType level = schema;
        for (String part : name.split("\\.")) {
            if (level instanceof StructType struct) {
                StructField found = Arrays.stream(struct.fields()).filter(f -> f.name().equals(part)).findFirst().orElse(null);
                level = found == null ? null : found.dataType();
            } else {
                return null;
            }
        }
        return level;
    }

    /** {@code user.id} → {@code `user`.`id`}: a name like {@code @timestamp} then needs no special care. */
    private static String quoted(String name) {
        return "`" + String.join("`.`", name.split("\\.")) + "`";
    }
}
