package org.recsys.recommend.train;

import org.recsys.recommend.math.BlendValidation;
import org.recsys.recommend.math.EaseNeighbors;
import org.recsys.recommend.math.HoldoutSplit;
import org.recsys.recommend.math.ImplicitAls;
import org.recsys.recommend.math.Interactions;
import org.recsys.recommend.math.ItemNeighbors;
import org.recsys.recommend.math.SlimNeighbors;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Chooses a training's settings on a validation split carved from its events ({@link HoldoutSplit}): ALS λ over a grid
 * scaled to the data's confidence mass per row, then α around the model's; with the best factors, each neighbor family
 * (cosine, EASE and SLIM at λ scaled to the mean item count, those that fit the memory budget) blended with the
 * collaborative signal and popularity over a grid of weights ({@link BlendValidation}). Steps stop once {@code max_time}
 * has passed; the best so far is chosen. Content is not scored here (its score comes from the index's text statistics).
 */
final class Tuner {

    static final double[] LAMBDA_RATIOS = { 0.1, 0.25, 0.5, 1, 2 };
    static final double[] NEIGHBOR_WEIGHTS = { 0, 0.05, 0.1, 0.25, 0.5, 1, 2, 4 };
    static final double[] POPULARITY_SHARES = { 0, 0.05, 0.1, 0.2 };
    static final double[] EASE_RATIOS = { 2, 5, 10, 20 };
    static final double[] SLIM_RATIOS = { 2.5, 5, 10 };
    static final int MIN_TUNED_NEIGHBORS = 200;
    static final int K = 10;

    /** One validated configuration and its nDCG@10. */
    record Row(String config, double ndcg) {}

    /** The chosen settings; {@code popularityShare} is the popularity weight times the most popular item's popularity. */
    record Choice(double lambda, double alpha, String similarity, double neighborLambda, int neighborsK, double neighborWeight,
        double popularityShare, double ndcg) {}

    record Outcome(Choice chosen, List<Row> table, int validationUsers, boolean outOfTime) {}

    private final TrainSpec spec;
    private final TuneSpec tune;
    private final Executor pool;
    private final int parallelism;
    private final BooleanSupplier cancelled;
    private final IntConsumer progress;
    private final long budgetBytes;
    private final List<Row> table = new ArrayList<>();
    private final long deadline;
    private boolean outOfTime;
    private int step;

    Tuner(TrainSpec spec, Executor pool, int parallelism, BooleanSupplier cancelled, IntConsumer progress, long budgetBytes) {
        this.spec = spec;
        this.tune = spec.tune();
        this.pool = pool;
        this.parallelism = parallelism;
        this.cancelled = cancelled;
        this.progress = progress;
        this.budgetBytes = budgetBytes;
        this.deadline = System.nanoTime() + tune.maxTime().nanos();
    }

    /** Validation steps planned, for the task's progress. */
    static int plannedSteps(TrainSpec spec) {
        return LAMBDA_RATIOS.length + 2 + (spec.neighbors() > 0 ? 1 + EASE_RATIOS.length + SLIM_RATIOS.length : 1);
    }

    Outcome run(Interactions userItems) throws InterruptedException {
        HoldoutSplit split = HoldoutSplit.of(userItems, tune.validation(), tune.seed(), tune.maxUsers());
        if (split.validationUsers() == 0) {
            throw new IllegalArgumentException("[tune] needs users with two events or more to validate on, the events have none");
        }
        Interactions fit = split.fit();
        float[] popularity = popularity(fit);
        double mostPopular = max(popularity);
        double alpha0 = spec.alpha() > 0 ? spec.alpha() : 10;
        // ALS: λ as a share of the mean confidence mass of a row (users and items alike), so the grid follows the data's scale
        Fitted best = null;
        for (double ratio : LAMBDA_RATIOS) {
            best = better(best, als(split, ratio, alpha0, popularity));
        }
        for (double alpha : new double[] { alpha0 / 3, alpha0 * 3 }) {
            best = better(best, als(split, best.ratio, alpha, popularity));
        }
        Choice chosen = blends(split, best, null, "als", new Family(TrainSpec.COSINE, TrainSpec.DEFAULT_NEIGHBOR_LAMBDA,
            spec.neighbors()), null, popularity, mostPopular);
        if (spec.neighbors() > 0) {
            int k = Math.min(Math.max(spec.neighbors(), MIN_TUNED_NEIGHBORS), Math.max(1, fit.cols() - 1));
            double meanCount = Math.max(1, (double) fit.nnz() / fit.cols());
            if (timeLeft()) {
                ItemNeighbors.Lists cosine = ItemNeighbors.compute(fit, k, pool, parallelism, cancelled);
                chosen = blends(split, best, cosine, family(TrainSpec.COSINE, 0, k), new Family(TrainSpec.COSINE,
                    TrainSpec.DEFAULT_NEIGHBOR_LAMBDA, k), chosen, popularity, mostPopular);
            }
            chosen = dense(split, best, TrainSpec.EASE, EASE_RATIOS, meanCount, k, chosen, popularity, mostPopular);
            chosen = dense(split, best, TrainSpec.SLIM, SLIM_RATIOS, meanCount, k, chosen, popularity, mostPopular);
        }
        return new Outcome(chosen, List.copyOf(table), split.validationUsers(), outOfTime);
    }

    private Choice dense(HoldoutSplit split, Fitted als, String family, double[] ratios, double meanCount, int k, Choice chosen,
        float[] popularity, double mostPopular) throws InterruptedException {
        int items = split.fit().cols();
        long bytes = TrainSpec.EASE.equals(family) ? EaseNeighbors.bytesNeeded(items) : SlimNeighbors.bytesNeeded(items);
        if (bytes > budgetBytes) {
            table.add(new Row(family + ": skipped, " + items + " items need " + (bytes >> 20) + " MB, over the training's budget",
                Double.NaN));
            return chosen;
        }
        for (double ratio : ratios) {
            if (timeLeft() == false) {
                break;
            }
            double lambda = round(ratio * meanCount);
            ItemNeighbors.Lists lists = TrainSpec.EASE.equals(family)
                ? EaseNeighbors.compute(split.fit(), k, lambda, pool, parallelism, cancelled)
                : SlimNeighbors.compute(split.fit(), k, lambda, pool, parallelism, cancelled).lists();
            progress.accept(++step);
            chosen = blends(split, als, lists, family(family, lambda, k), new Family(family, lambda, k), chosen, popularity,
                mostPopular);
        }
        return chosen;
    }

    /** A neighbor family's settings as a training takes them. */
    private record Family(String similarity, double lambda, int k) {}

    /**
     * Scores every blend of {@code neighbors} (null: none) with the ALS factors; returns the best of them and {@code previous}
     * (null: none yet).
     */
    private Choice blends(HoldoutSplit split, Fitted als, ItemNeighbors.Lists neighbors, String name, Family family, Choice previous,
        float[] popularity, double mostPopular) throws InterruptedException {
        List<BlendValidation.Blend> blends = new ArrayList<>();
        for (double w : neighbors == null ? new double[] { 0 } : NEIGHBOR_WEIGHTS) {
            for (double share : POPULARITY_SHARES) {
                blends.add(new BlendValidation.Blend(w, share / mostPopular));
            }
        }
        double[] ndcg = BlendValidation.ndcg(split, als.factors.users(), als.factors.items(), neighbors, popularity, blends, K, pool,
            parallelism, cancelled);
        Choice best = previous;
        int at = 0;
        for (double w : neighbors == null ? new double[] { 0 } : NEIGHBOR_WEIGHTS) {
            for (double share : POPULARITY_SHARES) {
                double value = ndcg[at++];
                table.add(new Row(String.format(Locale.ROOT, "%s, neighbors weight %s, popularity share %s", name, w, share), value));
                if (best == null || value > best.ndcg()) {
                    best = new Choice(als.lambda, als.alpha, family.similarity(), family.lambda(), family.k(), w, share, value);
                }
            }
        }
        return best;
    }

    private Fitted als(HoldoutSplit split, double ratio, double alpha, float[] popularity) throws InterruptedException {
        Interactions fit = split.fit();
        double mass = 0;
        for (float v : fit.values()) {
            mass += v;
        }
        double lambda = round(Math.max(1e-3, ratio * alpha * mass / (fit.rows() + fit.cols())));
        ImplicitAls.Factors factors = new ImplicitAls(spec.factors(), lambda, alpha, spec.cgSteps(), spec.seed()).fit(fit,
            spec.iterations(), pool, parallelism, cancelled, (iteration, nanos) -> {});
        double ndcg = BlendValidation.ndcg(split, factors.users(), factors.items(), null, popularity,
            List.of(new BlendValidation.Blend(0, 0)), K, pool, parallelism, cancelled)[0];
        table.add(new Row(String.format(Locale.ROOT, "als lambda %s, alpha %s", lambda, alpha), ndcg));
        progress.accept(++step);
        return new Fitted(ratio, lambda, alpha, factors, ndcg);
    }

    private record Fitted(double ratio, double lambda, double alpha, ImplicitAls.Factors factors, double ndcg) {}

    private static Fitted better(Fitted a, Fitted b) {
        return a == null || b.ndcg > a.ndcg ? b : a;
    }

    private static String family(String family, double lambda, int k) {
        return TrainSpec.COSINE.equals(family)
            ? String.format(Locale.ROOT, "als + cosine neighbors (k %d)", k)
            : String.format(Locale.ROOT, "als + %s neighbors (lambda %s, k %d)", family, lambda, k);
    }

    private boolean timeLeft() {
        if (System.nanoTime() > deadline) {
            outOfTime = true;
        }
        return outOfTime == false;
    }

    /** The number of fit users of each item: what a training writes as the items' popularity. */
    static float[] popularity(Interactions userItems) {
        float[] counts = new float[userItems.cols()];
        for (int p = 0; p < userItems.nnz(); p++) {
            counts[userItems.indices()[p]]++;
        }
        return counts;
    }

    static double max(float[] values) {
        double max = 1;
        for (float v : values) {
            max = Math.max(max, v);
        }
        return max;
    }

    /** Three significant digits: the grid's values read as settings, and a model's λ stays readable. */
    static double round(double value) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.3g", value));
    }
}
