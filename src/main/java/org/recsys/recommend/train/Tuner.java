package org.recsys.recommend.train;

import org.recsys.recommend.math.BlendValidation;
import org.recsys.recommend.math.EaseNeighbors;
import org.recsys.recommend.math.HoldoutSplit;
import org.recsys.recommend.math.ImplicitAls;
import org.recsys.recommend.math.Interactions;
import org.recsys.recommend.math.ItemNeighbors;
import org.recsys.recommend.math.SlimNeighbors;

import java.util.ArrayList;
import java.util.Arrays;
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
    /**
     * λ of an untuned training whose model sets none, as a share of the confidence mass per row: what P1's validation split
     * chose at α 10 and at α 3.3 alike (docs/benchmarks-training.md).
     */
    static final double DEFAULT_LAMBDA_RATIO = 0.5;
    static final double[] NEIGHBOR_WEIGHTS = { 0, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16 };
    static final double[] POPULARITY_SHARES = { 0, 0.05, 0.1, 0.2 };
    static final double[] EASE_RATIOS = { 2, 5, 10, 20 };
    static final double[] SLIM_RATIOS = { 2.5, 5, 10 };
    static final int MIN_TUNED_NEIGHBORS = 200;
    /** Steps a search takes past the end of its grid while the best setting sits on that end and the next one is better. */
    static final int MAX_EXTENSIONS = 3;
    static final int JOINT_RUNNERS_UP = 3;
    static final int K = 10;

    /** One validated configuration and its nDCG@10. */
    record Row(String config, double ndcg) {}

    /**
     * The chosen settings as validated on the fit split; {@code lambdaRatio} and {@code neighborRatio} are the same λs on
     * the data's scale (see {@link #lambdaAt}), which the training on every event applies to its own, larger data.
     * {@code popularityShare} is the popularity weight times the most popular item's popularity.
     */
    record Choice(double lambda, double alpha, String similarity, double neighborLambda, int neighborsK, double neighborWeight,
        double popularityShare, double ndcg, double lambdaRatio, double neighborRatio) {

        /** λ for ALS on {@code userItems} (all the events, where the validation fitted on a part of them). */
        double lambdaFor(Interactions userItems, boolean weighted) {
            return lambdaAt(lambdaRatio, alpha, userItems, weighted);
        }

        /** The EASE or SLIM λ on {@code userItems}'s scale (the cosine family has none). */
        double neighborLambdaFor(Interactions userItems) {
            return TrainSpec.COSINE.equals(similarity) ? neighborLambda : round(neighborRatio * meanCount(userItems));
        }
    }

    record Outcome(Choice chosen, List<Row> table, int validationUsers, boolean outOfTime) {}

    private final TrainSpec spec;
    private final boolean weighted; // the model's regularization: λ per entry of a row rather than per row
    private final TuneSpec tune;
    private final Executor pool;
    private final int parallelism;
    private final BooleanSupplier cancelled;
    private final IntConsumer progress;
    private final long budgetBytes;
    private final List<Row> table = new ArrayList<>();
    private final List<Fitted> fitted = new ArrayList<>(); // the best ALS settings so far, best first, for the joint step
    private ItemNeighbors.Lists bestLists; // the neighbor lists of the best blend so far
    private final long deadline;
    private boolean outOfTime;
    private long alsNanos; // the longest ALS fit so far
    private long neighborNanos; // the longest neighbor computation so far
    private int step;

    Tuner(TrainSpec spec, boolean weighted, Executor pool, int parallelism, BooleanSupplier cancelled, IntConsumer progress,
        long budgetBytes) {
        this.spec = spec;
        this.weighted = weighted;
        this.tune = spec.tune();
        this.pool = pool;
        this.parallelism = parallelism;
        this.cancelled = cancelled;
        this.progress = progress;
        this.budgetBytes = budgetBytes;
        this.deadline = System.nanoTime() + tune.maxTime().nanos();
    }

    /** Factor sets a tuning holds at once: the kept ones and the one being fitted (see {@link #als}). */
    static final int FACTOR_SETS_HELD = JOINT_RUNNERS_UP + 2;

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
            if (best != null && timeLeft() == false) {
                break;
            }
            best = better(best, als(split, ratio, alpha0, popularity));
        }
        best = extend(best, LAMBDA_RATIOS, 2, r -> als(split, r, alpha0, popularity), Fitted::ratio, Fitted::ndcg);
        for (double alpha : new double[] { alpha0 / 3, alpha0 * 3 }) {
            if (timeLeft()) {
                best = better(best, als(split, best.ratio, alpha, popularity));
            }
        }
        double ratio = best.ratio;
        best = extend(best, new double[] { alpha0 / 3, alpha0, alpha0 * 3 }, 3, a -> als(split, ratio, a, popularity), Fitted::alpha,
            Fitted::ndcg);
        Choice chosen = blends(split, best, null, "als", new Family(TrainSpec.COSINE, TrainSpec.DEFAULT_NEIGHBOR_LAMBDA,
            spec.neighbors()), null, popularity, mostPopular);
        if (spec.neighbors() > 0) {
            int k = Math.min(Math.max(spec.neighbors(), MIN_TUNED_NEIGHBORS), Math.max(1, fit.cols() - 1));
            double meanCount = meanCount(fit);
            if (timeLeft()) {
                long start = System.nanoTime();
                ItemNeighbors.Lists cosine = ItemNeighbors.compute(fit, k, pool, parallelism, cancelled);
                neighborNanos = Math.max(neighborNanos, System.nanoTime() - start);
                Choice before = chosen;
                chosen = blends(split, best, cosine, "als + " + family(TrainSpec.COSINE, 0, k), new Family(TrainSpec.COSINE,
                    TrainSpec.DEFAULT_NEIGHBOR_LAMBDA, k), chosen, popularity, mostPopular);
                bestLists = chosen != before ? cosine : bestLists;
            }
            chosen = dense(split, best, TrainSpec.EASE, EASE_RATIOS, meanCount, k, chosen, popularity, mostPopular);
            chosen = dense(split, best, TrainSpec.SLIM, SLIM_RATIOS, meanCount, k, chosen, popularity, mostPopular);
            chosen = jointly(split, best, chosen, popularity, mostPopular);
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
        Choice[] overall = { chosen }; // the best of every family so far, this one's included as it is searched
        ThrowingFunction<Family> scoreAt = ratio -> {
            double lambda = round(ratio * meanCount);
            Family candidate = new Family(family, lambda, k, ratio, -1);
            if (timeLeft() == false) {
                return candidate; // scored below anything: the search stops
            }
            long start = System.nanoTime();
            ItemNeighbors.Lists lists = TrainSpec.EASE.equals(family)
                ? EaseNeighbors.compute(split.fit(), k, lambda, pool, parallelism, cancelled)
                : SlimNeighbors.compute(split.fit(), k, lambda, pool, parallelism, cancelled).lists();
            neighborNanos = Math.max(neighborNanos, System.nanoTime() - start);
            progress.accept(++step);
            Choice here = blends(split, als, lists, "als + " + family(family, lambda, k), candidate, null, popularity, mostPopular);
            if (here.ndcg() > overall[0].ndcg()) {
                overall[0] = here;
                bestLists = lists;
            }
            return new Family(family, lambda, k, ratio, here.ndcg());
        };
        Family best = null;
        for (double ratio : ratios) {
            Family scored = scoreAt.apply(ratio);
            best = best == null || scored.ndcg() > best.ndcg() ? scored : best;
        }
        extend(best, ratios, 2, scoreAt, Family::ratio, Family::ndcg);
        return overall[0];
    }

    /**
     * The ALS settings were chosen for the collaborative signal alone; blended, the next best ones may do better. The best
     * neighbor lists are blended with the runners-up ({@value #JOINT_RUNNERS_UP} of them) too.
     */
    private Choice jointly(HoldoutSplit split, Fitted used, Choice chosen, float[] popularity, double mostPopular)
        throws InterruptedException {
        if (bestLists == null || chosen.neighborWeight() == 0) {
            return chosen;
        }
        List<Fitted> others = new ArrayList<>(fitted); // kept best first by als()
        others.remove(used);
        Family family = new Family(chosen.similarity(), chosen.neighborLambda(), chosen.neighborsK(), chosen.neighborRatio(), -1);
        for (Fitted als : others.subList(0, Math.min(JOINT_RUNNERS_UP, others.size()))) {
            if (timeLeft() == false) {
                break;
            }
            String name = String.format(Locale.ROOT, "als lambda %s, alpha %s + %s", als.lambda, als.alpha,
                family(chosen.similarity(), chosen.neighborLambda(), chosen.neighborsK()));
            chosen = blends(split, als, bestLists, name, family, chosen, popularity, mostPopular);
        }
        return chosen;
    }

    /** A neighbor family's settings as a training takes them; {@code ratio} and {@code ndcg} for its λ's search. */
    private record Family(String similarity, double lambda, int k, double ratio, double ndcg) {
        Family(String similarity, double lambda, int k) {
            this(similarity, lambda, k, 0, -1);
        }
    }

    /**
     * Extends a grid search past its ends: while the best value is the smallest (largest) tried, tries it divided
     * (multiplied) by {@code factor}, up to {@link #MAX_EXTENSIONS} times, keeping the better. An optimum inside the grid
     * stops at once.
     */
    private <T> T extend(T best, double[] grid, double factor, ThrowingFunction<T> at, java.util.function.ToDoubleFunction<T> value,
        java.util.function.ToDoubleFunction<T> score) throws InterruptedException {
        double lowest = Arrays.stream(grid).min().orElseThrow();
        double highest = Arrays.stream(grid).max().orElseThrow();
        for (int n = 0; n < MAX_EXTENSIONS && timeLeft(); n++) {
            double v = value.applyAsDouble(best);
            double next;
            if (v <= lowest) {
                next = lowest = lowest / factor;
            } else if (v >= highest) {
                next = highest = highest * factor;
            } else {
                break;
            }
            T candidate = at.apply(next);
            if (score.applyAsDouble(candidate) <= score.applyAsDouble(best)) {
                break;
            }
            best = candidate;
        }
        return best;
    }

    @FunctionalInterface
    private interface ThrowingFunction<T> {
        T apply(double value) throws InterruptedException;
    }

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
                    best = new Choice(als.lambda, als.alpha, family.similarity(), family.lambda(), family.k(), w, share, value,
                        als.ratio, family.ratio());
                }
            }
        }
        return best;
    }

    /** λ for an untuned training that derives it from its events ({@link #DEFAULT_LAMBDA_RATIO}). */
    static double defaultLambda(Interactions userItems, double alpha, boolean weighted) {
        return lambdaAt(DEFAULT_LAMBDA_RATIO, alpha, userItems, weighted);
    }

    /**
     * {@code ratio} × α × the mean weight per row (users and items alike): λ on the data's own scale. With weighted
     * regularization (λ times each row's entries) the same λ per entry: so that a row with the mean number of entries is
     * regularized alike in both modes.
     */
    static double lambdaAt(double ratio, double alpha, Interactions userItems, boolean weighted) {
        double mass = 0;
        for (float v : userItems.values()) {
            mass += v;
        }
        double per = weighted ? 2.0 * Math.max(1, userItems.nnz()) : Math.max(1, userItems.rows() + userItems.cols());
        return round(Math.max(weighted ? 1e-6 : 1e-3, ratio * Math.max(alpha, 1) * mass / per));
    }

    private Fitted als(HoldoutSplit split, double ratio, double alpha, float[] popularity) throws InterruptedException {
        Interactions fit = split.fit();
        double lambda = lambdaAt(ratio, alpha, fit, weighted);
        long start = System.nanoTime();
        ImplicitAls.Factors factors = new ImplicitAls(spec.factors(), lambda, alpha, spec.cgSteps(), spec.seed(), weighted).fit(fit,
            spec.iterations(), pool, parallelism, cancelled, (iteration, nanos) -> {});
        alsNanos = Math.max(alsNanos, System.nanoTime() - start);
        double ndcg = BlendValidation.ndcg(split, factors.users(), factors.items(), null, popularity,
            List.of(new BlendValidation.Blend(0, 0)), K, pool, parallelism, cancelled)[0];
        table.add(new Row(String.format(Locale.ROOT, "als lambda %s, alpha %s", lambda, alpha), ndcg));
        progress.accept(++step);
        Fitted result = new Fitted(ratio, lambda, alpha, factors, ndcg);
        fitted.add(result);
        // only the best few keep their factors (the joint step's runners-up and the best): each is (users + items) × k floats
        fitted.sort((a, b) -> Double.compare(b.ndcg, a.ndcg));
        while (fitted.size() > JOINT_RUNNERS_UP + 1) {
            fitted.remove(fitted.size() - 1);
        }
        return result;
    }

    private record Fitted(double ratio, double lambda, double alpha, ImplicitAls.Factors factors, double ndcg) {}

    private static Fitted better(Fitted a, Fitted b) {
        return a == null || b.ndcg > a.ndcg ? b : a;
    }

    private static String family(String family, double lambda, int k) {
        return TrainSpec.COSINE.equals(family)
            ? String.format(Locale.ROOT, "cosine neighbors (k %d)", k)
            : String.format(Locale.ROOT, "%s neighbors (lambda %s, k %d)", family, lambda, k);
    }

    /**
     * Whether another step fits in {@code max_time}, keeping back what the final training on every event will take: its
     * ALS and neighbor computations at their longest measured cost here, a quarter more for the events held out.
     */
    private boolean timeLeft() {
        long reserve = (alsNanos + neighborNanos) * 5 / 4;
        if (System.nanoTime() + reserve > deadline) {
            outOfTime = true;
        }
        return outOfTime == false;
    }

    /** The mean number of users per item: the scale of EASE's and SLIM's λ (the Gram matrix's diagonal). */
    static double meanCount(Interactions userItems) {
        return Math.max(1, (double) userItems.nnz() / Math.max(1, userItems.cols()));
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
