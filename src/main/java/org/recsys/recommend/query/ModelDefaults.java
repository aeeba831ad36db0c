package org.recsys.recommend.query;

import org.recsys.recommend.model.RecommendModel;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code "model": "movies"} brings to a recommend query: the users index and profile fields for a plain {@code "user":
 * "u42"}, and the default signals on the model's item fields (the model's own signal weights when it declares them).
 */
final class ModelDefaults {

    private ModelDefaults() {}

    static void apply(RecommendModel model, RecommendQueryBuilder.Draft draft) {
        if (draft.userId != null) {
            draft.userRef = new UserRef(model.users().index(), draft.userId, model.users().factors(), model.users().history(),
                model.users().seen());
        }
        draft.modelSignals = model.signals() != null ? model.signals() : signalsOf(model);
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
