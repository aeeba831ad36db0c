package org.recsys.recommend.ingest;

import org.recsys.recommend.math.FoldInSolver;
import org.recsys.recommend.model.RecommendModel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Fold-in of a history against a model: items without factors (deleted or cold) carry no evidence and are left out. */
final class ModelFoldIn {

    /** Each model's solver for its current state: building one copies and factors the k × k Gramian. */
    private record Solver(double[] gramian, double lambda, double alpha, boolean weighted, FoldInSolver solver) {}

    private static final Map<String, Solver> SOLVERS = new ConcurrentHashMap<>();

    private ModelFoldIn() {}

    private static FoldInSolver solverFor(RecommendModel model, int k) {
        double[] gramian = model.state().gramian();
        double lambda = model.factors().lambda();
        double alpha = model.factors().alpha();
        boolean weighted = model.factors().weighted();
        Solver current = SOLVERS.get(model.id());
        if (current == null || current.gramian() != gramian || current.lambda() != lambda || current.alpha() != alpha
            || current.weighted() != weighted) {
            current = new Solver(gramian, lambda, alpha, weighted, new FoldInSolver(gramian, k, lambda, alpha, weighted));
            SOLVERS.put(model.id(), current); // dropped when the model is deleted (ModelStateChanges)
        }
        return current.solver();
    }

    /** Drops the solver of a model the cluster state no longer holds. */
    static void forget(String modelId) {
        SOLVERS.remove(modelId);
    }

    /** Whether a solver is kept for the model: for tests. */
    static boolean holds(String modelId) {
        return SOLVERS.containsKey(modelId);
    }

    /** {@code factors} are the history's items' factors as {@code cache} handed them out, which remembers their projections. */
    static float[] vectorFor(RecommendModel model, History history, Map<String, float[]> factors, ItemFactorCache cache) {
        if (model.state() == null) {
            throw new IllegalArgumentException(
                "[model] [" + model.id() + "] has no Gramian yet: run POST _recommend/model/" + model.id() + "/_refresh"
            );
        }
        int k = model.factors().dims();
        History.Evidence evidence = history.evidence(factors, k, model.serving().itemFactors(), model.id());
        FoldInSolver solver = solverFor(model, k);
        return solver.solve(evidence.factors(), evidence.weights(), cache.projections(solver));
    }
}
