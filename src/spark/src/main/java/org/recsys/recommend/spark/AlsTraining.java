package org.recsys.recommend.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import static org.apache.spark.sql.functions.col;

/**
 * Implicit ALS (Hu, Koren &amp; Volinsky 2008) with Spark MLlib over the summed (user, item) weights r: confidence
 * c = 1 + α·r, preference p = [r &gt; 0], and each user and item regularized by λ·n, n its number of positive pairs
 * (ALS-WR, which is why the model must be in {@code weighted} mode). MLlib wants int ids: the string ids are numbered
 * 0..n-1 first ({@code zipWithIndex}, no single-partition sort), and the factors are mapped back to them.
 */
final class AlsTraining {

    /**
     * Factors by string id (columns {@code user|item, factors}), the int ids MLlib saw ({@code user|item, uid|iid}) and the
     * pairs by int id ({@code uid, iid, rating}), which the neighbors reuse. All persisted.
     */
    record Fitted(Dataset<Row> userFactors, Dataset<Row> itemFactors, Dataset<Row> userIds, Dataset<Row> itemIds, Dataset<Row> ratings,
        long users, long items) {}

    private AlsTraining() {}

    static Fitted fit(SparkSession spark, Dataset<Row> pairs, int dims, double lambda, double alpha, JobOptions options) {
        Dataset<Row> userIds = number(spark, pairs.select("user").distinct(), "user", "uid");
        Dataset<Row> itemIds = number(spark, pairs.select("item").distinct(), "item", "iid");
        Dataset<Row> ratings = pairs.join(userIds, "user")
            .join(itemIds, "item")
            .select(col("uid"), col("iid"), col("weight").cast(DataTypes.FloatType).as("rating"))
            .persist(StorageLevel.MEMORY_AND_DISK());
        ALS als = new ALS().setImplicitPrefs(true)
            .setRank(dims)
            .setRegParam(lambda)
            .setAlpha(alpha)
            .setMaxIter(options.iterations())
            .setSeed(options.seed())
            .setNonnegative(false)
            .setUserCol("uid")
            .setItemCol("iid")
            .setRatingCol("rating");
        ALSModel model = als.fit(ratings);
        Dataset<Row> userFactors = model.userFactors()
            .join(userIds, col("id").equalTo(col("uid")))
            .select(col("user"), col("features").as("factors"))
            .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> itemFactors = model.itemFactors()
            .join(itemIds, col("id").equalTo(col("iid")))
            .select(col("item"), col("features").as("factors"))
            .persist(StorageLevel.MEMORY_AND_DISK());
        // counted here so that the fit's time is the fit's: every id has a factor (MLlib gives one to each id it saw)
        long users = userFactors.count();
        long items = itemFactors.count();
        return new Fitted(userFactors, itemFactors, userIds, itemIds, ratings, users, items);
    }

    /** Numbers the distinct ids 0..n-1; fails past {@code Integer.MAX_VALUE}, MLlib's limit. */
    private static Dataset<Row> number(SparkSession spark, Dataset<Row> ids, String name, String numbered) {
        JavaRDD<Row> rows = ids.javaRDD().zipWithIndex().map(pair -> {
            if (pair._2() > Integer.MAX_VALUE) {
                throw new IllegalStateException("more than " + Integer.MAX_VALUE + " distinct " + name + "s: Spark's ALS numbers them "
                    + "with ints");
            }
            return RowFactory.create(pair._1().getString(0), (int) (long) pair._2());
        });
        StructType schema = new StructType().add(name, DataTypes.StringType, false).add(numbered, DataTypes.IntegerType, false);
        return spark.createDataFrame(rows, schema).persist(StorageLevel.MEMORY_AND_DISK());
    }
}
