package org.recsys.recommend.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.struct;

/**
 * The plugin's cosine item-kNN ({@code math/ItemNeighbors}), on Spark: cosine over binary co-occurrence,
 * sim(i, j) = |U_i ∩ U_j| / √(|U_i|·|U_j|), U_i the users with any event on i (a weight of 0 counts, as in the plugin's
 * interaction matrix, and so does popularity), no shrinkage; each item's k best j ≠ i, ties to the smaller item id (the
 * plugin breaks them by its internal item number, an order of first appearance, which a distributed read does not have).
 *
 * <p>Cost: the self-join on the user emits Σ over users of n_u·(n_u − 1) (i, j) rows before they are counted, n_u the user's
 * number of items: quadratic in the heaviest users' histories (a user with 10,000 items alone yields 10⁸). The plugin's own
 * training does the same work. {@code RowMatrix.columnSimilarities} is not used: it weighs by the values (not binary) and,
 * with a threshold, samples.
 */
final class CosineNeighbors {

    private CosineNeighbors() {}

    /** Columns {@code item, neighbors} (a map item id → similarity as a float), only for items with at least one neighbor. */
    static Dataset<Row> compute(Dataset<Row> ratings, Dataset<Row> itemIds, int k) {
        Dataset<Row> userItems = ratings.select(col("uid"), col("iid"));
        Dataset<Row> counts = userItems.groupBy("iid").agg(count(lit(1)).as("n"));
        Dataset<Row> together = userItems.select(col("uid"), col("iid").as("i"))
            .join(userItems.select(col("uid"), col("iid").as("j")), "uid")
            .where(col("i").notEqual(col("j")))
            .groupBy("i", "j")
            .agg(count(lit(1)).as("co"));
        // the similarity as the plugin computes it: in double, then rounded to the float it stores and ranks by
        Dataset<Row> similar = together.join(counts.select(col("iid").as("i"), col("n").as("n_i")), "i")
            .join(counts.select(col("iid").as("j"), col("n").as("n_j")), "j")
            .join(itemIds.select(col("iid").as("j"), col("item").as("neighbor")), "j")
            .select(col("i"), col("neighbor"),
                col("co").divide(sqrt(col("n_i").cast("double").multiply(col("n_j")))).cast("float").as("sim"));
        WindowSpec best = Window.partitionBy("i").orderBy(col("sim").desc(), col("neighbor").asc());
        // map keys need no order: the plugin stores the lists as sparse_vectors
        return similar.withColumn("rank", row_number().over(best))
            .where(col("rank").leq(k))
            .groupBy("i")
            .agg(map_from_entries(collect_list(struct(col("neighbor"), col("sim")))).as("neighbors"))
            .join(itemIds.select(col("iid").as("i"), col("item")), "i")
            .select(col("item"), col("neighbors"));
    }
}
