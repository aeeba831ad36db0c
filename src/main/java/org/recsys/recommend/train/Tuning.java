package org.recsys.recommend.train;

import org.recsys.recommend.math.Normalization;
import org.recsys.recommend.model.FactorsConfig;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.model.SignalKind;
import org.recsys.recommend.model.SignalSpec;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a tuned training chose and the validation behind it: stored on the model (λ and α, which fold-in needs to match the
 * factors; the blend, every signal linear, as the model's default signals) and reported in the {@code _train} response.
 * {@code mostPopular}: the most popular item's popularity over all events, which turns the popularity share into a weight.
 */
public record Tuning(Tuner.Outcome outcome, double mostPopular) implements ToXContentObject {

    /** The model with the chosen λ, α and default signals. */
    public RecommendModel applyTo(RecommendModel model, TrainSpec trained) {
        Tuner.Choice chosen = outcome.chosen();
        // λ chosen on validation: later trainings without tune keep it rather than derive the default share again
        FactorsConfig factors = model.factors().withLambda(trained.lambda(), trained.alpha(), false);
        return model.withTuning(factors, signals(model, chosen));
    }

    List<SignalSpec> signals(RecommendModel model, Tuner.Choice chosen) {
        List<SignalSpec> signals = new ArrayList<>();
        signals.add(linear(SignalKind.COLLABORATIVE, model.items().factors(), 1));
        if (chosen.neighborWeight() > 0) {
            signals.add(linear(SignalKind.NEIGHBORS, model.items().neighbors(), chosen.neighborWeight()));
        }
        if (chosen.popularityShare() > 0) {
            signals.add(linear(SignalKind.POPULARITY, model.items().popularity(), chosen.popularityShare() / mostPopular));
        }
        return signals;
    }

    private static SignalSpec linear(SignalKind kind, String field, double weight) {
        return new SignalSpec(kind, List.of(field), weight, Normalization.LINEAR, 1.0, true);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        Tuner.Choice chosen = outcome.chosen();
        builder.startObject();
        builder.field("validation_users", outcome.validationUsers());
        builder.field("stopped_by_max_time", outcome.outOfTime());
        builder.startObject("chosen")
            .field("lambda", chosen.lambda())
            .field("alpha", chosen.alpha())
            .field("neighbors_similarity", chosen.similarity())
            .field("neighbors_k", chosen.neighborsK());
        if (TrainSpec.COSINE.equals(chosen.similarity()) == false) {
            builder.field("neighbors_lambda", chosen.neighborLambda());
        }
        builder.field("lambda_ratio", chosen.lambdaRatio());
        if (TrainSpec.COSINE.equals(chosen.similarity()) == false) {
            builder.field("neighbors_lambda_ratio", chosen.neighborRatio());
        }
        builder.field("neighbors_weight", chosen.neighborWeight())
            .field("popularity_share", chosen.popularityShare())
            .field("ndcg@10", chosen.ndcg())
            .endObject();
        builder.startArray("validation");
        for (Tuner.Row row : outcome.table()) {
            builder.startObject().field("config", row.config());
            if (Double.isNaN(row.ndcg()) == false) {
                builder.field("ndcg@10", row.ndcg());
            }
            builder.endObject();
        }
        return builder.endArray().endObject();
    }
}
