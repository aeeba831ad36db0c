package org.recsys.recommend.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static scala.jdk.javaapi.CollectionConverters.asScala;

/**
 * The staged documents, as the plugin's {@code _import} reads them, one row per document ({@link StagingWriter#DOC_ID} is
 * the {@code _id} and is not stored):
 *
 * <pre>
 * item: {"run_id", "kind": "item", "id", "factors": [k floats], "neighbors": {"&lt;item&gt;": sim, …} (when trained and any),
 *        "popularity": number of users with the item}
 * user: {"run_id", "kind": "user", "id", "factors": [k floats], "history": [{"item", "weight", "ts"}, …], "seen": [item, …]}
 * </pre>
 *
 * Rows given back to Spark hold Scala collections, as rows it made do: its row encoder takes no {@code java.util.List}.
 * Factors are checked here, on the executors: a NaN from a diverged fit must fail the run, not reach the serving model.
 */
final class StagedDocs {

    private static final StructType HISTORY_ENTRY = new StructType().add("item", DataTypes.StringType, false)
        .add("weight", DataTypes.FloatType, false)
        .add("ts", DataTypes.StringType, true);

    private StagedDocs() {}

    static StructType itemSchema(boolean neighbors) {
        StructType schema = common();
        if (neighbors) {
            schema = schema.add("neighbors", DataTypes.createMapType(DataTypes.StringType, DataTypes.FloatType, false), true);
        }
        return schema.add("popularity", DataTypes.LongType, false);
    }

    static StructType userSchema() {
        return common().add("history", DataTypes.createArrayType(HISTORY_ENTRY, false), false)
            .add("seen", DataTypes.createArrayType(DataTypes.StringType, false), false);
    }

    private static StructType common() {
        return new StructType().add(StagingWriter.DOC_ID, DataTypes.StringType, false)
            .add("run_id", DataTypes.StringType, false)
            .add("kind", DataTypes.StringType, false)
            .add("id", DataTypes.StringType, false)
            .add("factors", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    }

    /** {@code neighbors}: columns {@code item, neighbors}, or null when none were trained. */
    static Dataset<Row> items(SparkSession spark, String runId, Dataset<Row> itemFactors, Dataset<Row> pairs, Dataset<Row> neighbors) {
        Dataset<Row> popularity = pairs.groupBy("item").agg(count(lit(1)).as("popularity"));
        Dataset<Row> joined = itemFactors.join(popularity, "item");
        joined = neighbors == null ? joined.withColumn("neighbors", lit(null)) : joined.join(neighbors, "item", "left_outer");
        boolean withNeighbors = neighbors != null;
        JavaRDD<Row> rows = joined.select("item", "factors", "neighbors", "popularity").javaRDD().map(row -> {
            String item = row.getString(0);
            Object factors = checkedFactors("item", item, row, 1);
            List<Object> values = new ArrayList<>(List.of(runId + ":item:" + item, runId, "item", item, factors));
            if (withNeighbors) {
                values.add(row.isNullAt(2) ? null : row.getMap(2));
            }
            values.add(row.getLong(3));
            return RowFactory.create(values.toArray());
        });
        return spark.createDataFrame(rows, itemSchema(withNeighbors));
    }

    static Dataset<Row> users(SparkSession spark, String runId, int maxHistory, Dataset<Row> userFactors, Dataset<Row> pairs) {
        Dataset<Row> entries = pairs.groupBy("user")
            .agg(collect_list(struct(col("item"), col("weight"), col("ts"), col("ts_millis"))).as("entries"));
        JavaRDD<Row> rows = userFactors.join(entries, "user").select("user", "factors", "entries").javaRDD().map(row -> {
            String user = row.getString(0);
            Object factors = checkedFactors("user", user, row, 1);
            List<UserHistory.Entry> pairsOfUser = new ArrayList<>();
            for (Row entry : row.<Row>getList(2)) {
                pairsOfUser.add(new UserHistory.Entry(entry.getString(0), entry.getDouble(1), entry.getString(2),
                    entry.isNullAt(3) ? null : entry.getLong(3)));
            }
            UserHistory.Lists lists = UserHistory.split(pairsOfUser, maxHistory);
            List<Row> history = new ArrayList<>(lists.history().size());
            for (UserHistory.Entry entry : lists.history()) {
                history.add(RowFactory.create(entry.item(), UserHistory.cappedWeight(entry.weight()), entry.ts()));
            }
            return RowFactory.create(runId + ":user:" + user, runId, "user", user, factors, asScala(history), asScala(lists.seen()));
        });
        return spark.createDataFrame(rows, userSchema());
    }

    /** The row's factors, as the Scala sequence a Spark row holds (what {@code createDataFrame} takes back), once checked. */
    private static Object checkedFactors(String kind, String id, Row row, int column) {
        for (Float f : row.<Float>getList(column)) {
            if (Float.isFinite(f) == false) {
                throw new IllegalStateException("ALS produced a non-finite factor for " + kind + " [" + id + "]: the fit diverged (try a "
                    + "larger --lambda or a smaller --alpha); nothing was imported");
            }
        }
        return row.getSeq(column);
    }
}
