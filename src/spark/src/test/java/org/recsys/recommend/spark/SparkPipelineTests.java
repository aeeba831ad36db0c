package org.recsys.recommend.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job's steps between the read and the writes, on a local Spark, against brute-force references: the neighbors against
 * the plugin's cosine computed pair by pair, the staged documents against the pairs they came from. The read and the writes
 * need a node with the root-info test plugin, and are not run here.
 */
class SparkPipelineTests {

    private static final StructType PAIRS = new StructType().add("user", DataTypes.StringType)
        .add("item", DataTypes.StringType)
        .add("weight", DataTypes.DoubleType)
        .add("ts", DataTypes.StringType)
        .add("ts_millis", DataTypes.LongType)
        .add("events", DataTypes.LongType);

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder()
            .master("local[2]")
            .appName("recommend-spark-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** 40 users, 30 items, about a quarter of the cells, some with weight 0; timestamps distinct per user. */
    private static List<Row> randomPairs(long seed) {
        Random random = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int u = 0; u < 40; u++) {
            for (int i = 0; i < 30; i++) {
                if (random.nextInt(4) == 0) {
                    double weight = random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(3);
                    long millis = 1_700_000_000_000L + random.nextInt(1_000_000) * 1000L;
                    boolean timed = random.nextInt(10) > 0;
                    rows.add(RowFactory.create("u" + u, String.format(Locale.ROOT, "i%02d", i), weight,
                        timed ? Instant.ofEpochMilli(millis).toString() : null, timed ? millis : null, 1L));
                }
            }
        }
        return rows;
    }

    @Test
    void neighborsAreThePluginsCosine() {
        List<Row> rows = randomPairs(7);
        Dataset<Row> pairs = spark.createDataFrame(rows, PAIRS);
        AlsTraining.Fitted fitted = AlsTraining.fit(spark, pairs, 4, 0.1, 10, options());
        int k = 5;
        Map<String, Map<String, Float>> actual = new TreeMap<>();
        for (Row row : CosineNeighbors.compute(fitted.ratings(), fitted.itemIds(), k).collectAsList()) {
            actual.put(row.getString(0), new TreeMap<>(row.<String, Float>getJavaMap(1)));
        }
        assertEquals(bruteForce(rows, k), actual);
    }

    /** sim(i, j) = |U_i ∩ U_j| / √(|U_i| |U_j|) over every pair (weight 0 included), k best, ties to the smaller id. */
    private static Map<String, Map<String, Float>> bruteForce(List<Row> rows, int k) {
        Map<String, Set<String>> usersOf = new TreeMap<>();
        for (Row row : rows) {
            usersOf.computeIfAbsent(row.getString(1), x -> new HashSet<>()).add(row.getString(0));
        }
        Map<String, Map<String, Float>> expected = new TreeMap<>();
        for (String i : usersOf.keySet()) {
            List<Object[]> candidates = new ArrayList<>();
            for (String j : usersOf.keySet()) {
                Set<String> both = new HashSet<>(usersOf.get(i));
                both.retainAll(usersOf.get(j));
                if (i.equals(j) == false && both.isEmpty() == false) {
                    double sim = both.size() / Math.sqrt((double) usersOf.get(i).size() * usersOf.get(j).size());
                    candidates.add(new Object[] { j, (float) sim });
                }
            }
            candidates.sort((a, b) -> {
                int bySim = Float.compare((Float) b[1], (Float) a[1]);
                return bySim != 0 ? bySim : ((String) a[0]).compareTo((String) b[0]);
            });
            Map<String, Float> best = new TreeMap<>();
            candidates.subList(0, Math.min(k, candidates.size())).forEach(c -> best.put((String) c[0], (Float) c[1]));
            if (best.isEmpty() == false) {
                expected.put(i, best);
            }
        }
        return expected;
    }

    @Test
    void stagedDocumentsCarryFactorsPopularityAndHistories() {
        List<Row> rows = randomPairs(11);
        Dataset<Row> pairs = spark.createDataFrame(rows, PAIRS).cache();
        AlsTraining.Fitted fitted = AlsTraining.fit(spark, pairs, 4, 0.1, 10, options());
        Dataset<Row> neighbors = CosineNeighbors.compute(fitted.ratings(), fitted.itemIds(), 3);

        Map<String, Set<String>> usersOf = new HashMap<>();
        Map<String, List<Row>> rowsOf = new HashMap<>();
        for (Row row : rows) {
            usersOf.computeIfAbsent(row.getString(1), x -> new HashSet<>()).add(row.getString(0));
            rowsOf.computeIfAbsent(row.getString(0), x -> new ArrayList<>()).add(row);
        }

        List<Row> items = StagedDocs.items(spark, "r1", fitted.itemFactors(), pairs, neighbors).collectAsList();
        assertEquals(usersOf.size(), items.size());
        for (Row item : items) {
            String id = item.getString(item.fieldIndex("id"));
            assertEquals("r1:item:" + id, item.getString(item.fieldIndex(StagingWriter.DOC_ID)));
            assertEquals("item", item.getString(item.fieldIndex("kind")));
            assertEquals(4, item.getList(item.fieldIndex("factors")).size());
            assertEquals(usersOf.get(id).size(), item.getLong(item.fieldIndex("popularity")));
            Map<String, Float> near = item.getJavaMap(item.fieldIndex("neighbors"));
            assertTrue(near.size() <= 3 && near.containsKey(id) == false, id + " → " + near);
        }

        int maxHistory = 4;
        List<Row> users = StagedDocs.users(spark, "r1", maxHistory, fitted.userFactors(), pairs).collectAsList();
        assertEquals(rowsOf.size(), users.size());
        for (Row user : users) {
            String id = user.getString(user.fieldIndex("id"));
            List<Row> history = user.getList(user.fieldIndex("history"));
            List<String> seen = user.getList(user.fieldIndex("seen"));
            // every pair is in exactly one list, the history holds at most max_history positive ones, oldest first
            assertEquals(rowsOf.get(id).size(), history.size() + seen.size(), id);
            assertTrue(history.size() <= maxHistory);
            long previous = Long.MIN_VALUE;
            for (Row entry : history) {
                assertTrue(entry.getFloat(1) > 0);
                long millis = entry.isNullAt(2) ? Long.MIN_VALUE : Instant.parse(entry.getString(2)).toEpochMilli();
                assertTrue(millis >= previous, "history of " + id + " is oldest first");
                previous = millis;
            }
            long positive = rowsOf.get(id).stream().filter(r -> r.getDouble(2) > 0).count();
            assertEquals(Math.min(maxHistory, positive), history.size(), id);
            assertFalse(seen.stream().anyMatch(s -> history.stream().anyMatch(h -> h.getString(0).equals(s))));
        }
    }

    @Test
    void itemsWithoutNeighborsTrainedHaveNoNeighborsField() {
        Dataset<Row> pairs = spark.createDataFrame(randomPairs(5), PAIRS);
        AlsTraining.Fitted fitted = AlsTraining.fit(spark, pairs, 2, 0.1, 10, options());
        Dataset<Row> items = StagedDocs.items(spark, "r1", fitted.itemFactors(), pairs, null);
        assertFalse(List.of(items.columns()).contains("neighbors"));
        assertNull(items.schema().getFieldIndex("neighbors").getOrElse(() -> null));
    }

    private static JobOptions options() {
        try {
            return JobOptions.parse(new String[] { "--es", "http://127.0.0.1:9200", "--model", "m", "--run-id", "r1", "--iterations", "3" },
                Instant.EPOCH);
        } catch (UsageException e) {
            throw new AssertionError(e);
        }
    }
}
