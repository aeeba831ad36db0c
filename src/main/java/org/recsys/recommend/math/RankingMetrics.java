package org.recsys.recommend.math;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Top-K ranking metrics with binary relevance, averaged over users (protocol P1): P@K = hits / K; R@K = hits / |test|;
 * nDCG@K = Σ_{hit at rank r} 1/log2(r+1) over the ideal Σ_{r ≤ min(|test|, K)} 1/log2(r+1); MAP@K = Σ_{hit at rank r}
 * precision@r / min(|test|, K); HR@K = share of users with a hit; coverage = distinct items recommended.
 */
public final class RankingMetrics {

    private final int k;
    private final Set<String> recommended = new HashSet<>();
    private double precision;
    private double recall;
    private double ndcg;
    private double map;
    private double hits;
    private int users;

    public RankingMetrics(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("[k] must be >= 1, got [" + k + "]");
        }
        this.k = k;
    }

    /** Adds one user's ranking (at most K are read) against their held-out items. */
    public void add(List<String> ranking, Set<String> relevant) {
        if (relevant.isEmpty()) {
            return;
        }
        int found = 0;
        double dcg = 0;
        double sumPrecision = 0;
        for (int r = 0; r < Math.min(k, ranking.size()); r++) {
            recommended.add(ranking.get(r));
            if (relevant.contains(ranking.get(r))) {
                found++;
                dcg += 1 / log2(r + 2);
                sumPrecision += found / (double) (r + 1);
            }
        }
        int ideal = Math.min(relevant.size(), k);
        double idcg = 0;
        for (int r = 0; r < ideal; r++) {
            idcg += 1 / log2(r + 2);
        }
        precision += found / (double) k;
        recall += found / (double) relevant.size();
        ndcg += dcg / idcg;
        map += sumPrecision / ideal;
        hits += found > 0 ? 1 : 0;
        users++;
    }

    public int users() {
        return users;
    }

    public double precision() {
        return users == 0 ? 0 : precision / users;
    }

    public double recall() {
        return users == 0 ? 0 : recall / users;
    }

    public double ndcg() {
        return users == 0 ? 0 : ndcg / users;
    }

    public double map() {
        return users == 0 ? 0 : map / users;
    }

    public double hitRate() {
        return users == 0 ? 0 : hits / users;
    }

    public int coverage() {
        return recommended.size();
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
