package org.recsys.recommend.model;

import org.elasticsearch.common.Strings;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * A named model: where items and users live, how the factors were trained (k, λ, α), the recommend query's default signals,
 * and the state {@code _refresh} derived from the items (the Gramian). Stored in cluster state, so every node sees the same
 * version and a change reaches all of them at once.
 */
public record RecommendModel(
    String id,
    ItemsConfig items,
    UsersConfig users,
    FactorsConfig factors,
    List<SignalSpec> signals,
    ModelState state
) implements Writeable, ToXContentObject {

    public static final String INCLUDE_GRAMIAN_PARAM = "include_gramian";
    public static final int MAX_DIMS = 1024;

    static final ParseField ITEMS = new ParseField("items");
    static final ParseField USERS = new ParseField("users");
    static final ParseField FACTORS = new ParseField("factors");
    static final ParseField SIGNALS = new ParseField("signals");
    static final ParseField STATE = new ParseField("state");

    public RecommendModel {
        requireText("model id", id);
        Objects.requireNonNull(items, "[items] is required");
        Objects.requireNonNull(users, "[users] is required");
        Objects.requireNonNull(factors, "[factors] is required");
        signals = signals == null ? null : List.copyOf(signals);
        if (state != null && state.gramian().length != factors.dims() * factors.dims()) {
            throw new IllegalArgumentException("model [" + id + "] state has a Gramian that does not match [factors.dims]");
        }
    }

    public RecommendModel(StreamInput in) throws IOException {
        this(
            in.readString(),
            new ItemsConfig(in),
            new UsersConfig(in),
            new FactorsConfig(in),
            in.readOptionalCollectionAsList(SignalSpec::new),
            in.readOptionalWriteable(ModelState::new)
        );
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(id);
        items.writeTo(out);
        users.writeTo(out);
        factors.writeTo(out);
        out.writeOptionalCollection(signals);
        out.writeOptionalWriteable(state);
    }

    /** The fields queries and fold-in read: the slot of the stored state (the configured names before any state). */
    public ModelFields serving() {
        return ModelFields.of(servingSlot(), items, users);
    }

    /** The fields a training writes while the serving ones stay as they are; its stored state then switches to them. */
    public ModelFields building() {
        return ModelFields.of(ModelFields.SLOTS - 1 - servingSlot(), items, users);
    }

    /** Both slots' fields, for the mappings. */
    public List<ModelFields> allSlots() {
        return List.of(ModelFields.of(0, items, users), ModelFields.of(1, items, users));
    }

    public int servingSlot() {
        return state == null ? 0 : state.slot();
    }

    public RecommendModel withState(ModelState newState) {
        return new RecommendModel(id, items, users, factors, signals, newState);
    }

    /** This model with the settings a tuned training chose: its λ and α, and the default signals of its queries. */
    public RecommendModel withTuning(FactorsConfig tunedFactors, List<SignalSpec> tunedSignals) {
        return new RecommendModel(id, items, users, tunedFactors, tunedSignals, state);
    }

    /** True when the derived state still fits this configuration (same items and dims), so a PUT may keep it. */
    public boolean stateCarriesOverTo(RecommendModel next) {
        return state != null && items.index().equals(next.items.index()) && items.factors().equals(next.items.factors())
            && factors.dims() == next.factors.dims();
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field(ITEMS.getPreferredName(), items);
        builder.field(USERS.getPreferredName(), users);
        builder.field(FACTORS.getPreferredName(), factors);
        if (signals != null) {
            builder.startObject(SIGNALS.getPreferredName());
            for (SignalSpec signal : signals) {
                builder.field(signal.kind().jsonName(), signal);
            }
            builder.endObject();
        }
        if (state != null) {
            builder.field(STATE.getPreferredName(), state, params);
        }
        return builder.endObject();
    }

    /** Parses a model body; {@code allowState} is true only when reading back from cluster state. */
    public static RecommendModel fromXContent(String id, XContentParser parser, boolean allowState) throws IOException {
        Draft draft = new Draft();
        ObjectParser<Draft, Void> objectParser = new ObjectParser<>("model");
        objectParser.declareObject((d, v) -> d.items = v, (p, c) -> ItemsConfig.fromXContent(p), ITEMS);
        objectParser.declareObject((d, v) -> d.users = v, (p, c) -> UsersConfig.fromXContent(p), USERS);
        objectParser.declareObject((d, v) -> d.factors = v, (p, c) -> FactorsConfig.fromXContent(p), FACTORS);
        objectParser.declareObject((d, v) -> d.signals = v, (p, c) -> Signals.validate(Signals.parse(p)), SIGNALS);
        if (allowState) {
            objectParser.declareObject((d, v) -> d.state = v, (p, c) -> ModelState.fromXContent(p), STATE);
        }
        objectParser.parse(parser, draft, null);
        if (draft.items == null || draft.users == null || draft.factors == null) {
            throw new IllegalArgumentException("model [" + id + "] needs [items], [users] and [factors]");
        }
        if (allowState == false) {
            // checked on requests only: a model read back from cluster state must load, whatever a later version checks
            // both slots' names (ModelFields): a configured name may not be another field's second-slot name
            ModelFields second = ModelFields.of(1, draft.items, draft.users);
            requireDistinct("items", new String[] { "factors", "neighbors", "popularity", "factors (second slot)",
                "neighbors (second slot)", "popularity (second slot)" },
                new String[] { draft.items.factors(), draft.items.neighbors(), draft.items.popularity(), second.itemFactors(),
                    second.neighbors(), second.popularity() });
            requireDistinct("users", new String[] { "factors", "history", "seen", "factors (second slot)" },
                new String[] { draft.users.factors(), draft.users.history(), draft.users.seen(), second.userFactors() });
        }
        return new RecommendModel(id, draft.items, draft.users, draft.factors, draft.signals, draft.state);
    }

    /** Fields the plugin writes must be distinct: one written over another (a profile's history as its vector) corrupts both. */
    private static void requireDistinct(String section, String[] names, String[] fields) {
        for (int i = 0; i < fields.length; i++) {
            for (int j = 0; j < i; j++) {
                if (fields[i].equals(fields[j])) {
                    throw new IllegalArgumentException("[" + section + "." + names[i] + "] and [" + section + "." + names[j]
                        + "] must name different fields, both name [" + fields[i] + "]");
                }
            }
        }
    }

    static void requireText(String field, String value) {
        if (value == null || Strings.hasText(value) == false) {
            throw new IllegalArgumentException("[" + field + "] must be a non-empty string");
        }
    }

    private static final class Draft {
        ItemsConfig items;
        UsersConfig users;
        FactorsConfig factors;
        List<SignalSpec> signals;
        ModelState state;
    }
}
