package org.recsys.recommend.query;

import org.recsys.recommend.model.FactorsConfig;
import org.recsys.recommend.model.ItemsConfig;
import org.recsys.recommend.model.ModelFields;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.model.SignalKind;
import org.recsys.recommend.model.SignalSpec;
import org.recsys.recommend.model.UsersConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code "model": "movies"} brings to a recommend query: the users index and profile fields for a plain {@code "user":
 * "u42"}, and the default signals on the model's item fields (the model's own signal weights when it declares them). The
 * model's configured field names stand for the fields it serves ({@link RecommendModel#serving}): a query that names
 * {@code factors} reads whichever slot the last training switched to.
 */
final class ModelDefaults {

    private ModelDefaults() {}

    static void apply(RecommendModel model, RecommendQueryBuilder.Draft draft) {
        ModelFields serving = model.serving();
        if (draft.userId != null) {
            draft.userRef = new UserRef(model.users().index(), draft.userId, serving.userFactors(), model.users().history(),
                model.users().seen());
        } else if (draft.userRef != null && draft.userRef.vectorField().equals(model.users().factors())) {
            // a profile named as an object reads the served vector too when it names the model's configured field
            UserRef given = draft.userRef;
            draft.userRef = new UserRef(given.index(), given.id(), serving.userFactors(), given.historyField(), given.seenField());
        }
        draft.modelSignals = onServingFields(model, model.signals() != null ? model.signals() : signalsOf(model));
        if (draft.signals != null) {
            draft.signals = onServingFields(model, draft.signals);
        }
    }

    /**
     * What a query naming a model that does not exist is parsed with: the default configuration, so that it passes or
     * fails parsing exactly as one naming an existing model would (its error comes later, after authorization).
     */
    static RecommendModel standIn(String id) {
        return new RecommendModel(
            id,
            new ItemsConfig("items", null, null, null, List.of()),
            new UsersConfig("users", null, null, null, UsersConfig.DEFAULT_MAX_HISTORY),
            new FactorsConfig(1, FactorsConfig.DEFAULT_LAMBDA, FactorsConfig.DEFAULT_ALPHA),
            null,
            null
        );
    }

    private static List<SignalSpec> onServingFields(RecommendModel model, List<SignalSpec> signals) {
        ModelFields serving = model.serving();
        List<SignalSpec> resolved = new ArrayList<>(signals.size());
        for (SignalSpec signal : signals) {
            resolved.add(signal.kind() == SignalKind.CONTENT ? signal
                : signal.onField(serving.itemField(model.items(), signal.field())));
        }
        return resolved;
    }

    private static List<SignalSpec> signalsOf(RecommendModel model) {
        List<SignalSpec> signals = new ArrayList<>();
        signals.add(onField(SignalKind.COLLABORATIVE, model.items().factors()));
        signals.add(onField(SignalKind.NEIGHBORS, model.items().neighbors()));
        if (model.items().content().isEmpty() == false) {
            SignalKind kind = SignalKind.CONTENT;
            List<String> fields = model.items().content();
            signals.add(new SignalSpec(kind, fields, kind.defaultWeight(), kind.defaultNormalization(), kind.defaultPivot(), true));
        }
        signals.add(onField(SignalKind.POPULARITY, model.items().popularity()));
        return signals;
    }

    /** A default signal on the model's field name; like every default, it is skipped when the index lacks the field. */
    private static SignalSpec onField(SignalKind kind, String field) {
        return new SignalSpec(kind, List.of(field), kind.defaultWeight(), kind.defaultNormalization(), kind.defaultPivot(), false);
    }
}
