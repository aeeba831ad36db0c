package org.recsys.recommend.train;

import org.elasticsearch.action.admin.indices.mapping.get.GetFieldMappingsResponse;
import org.elasticsearch.action.admin.indices.mapping.get.GetFieldMappingsResponse.FieldMappingMetadata;
import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.search.SearchHit;
import org.recsys.recommend.math.Interactions;
import org.recsys.recommend.model.UserIds;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The events read for training, as dense indices: user and item ids mapped to 0..n-1 in order of first appearance, and one
 * (user, item, weight) triple per event. Events without a user or item are skipped and counted.
 */
public final class EventTable {

    private final TrainSpec spec;
    private final boolean docValues;
    private final Map<String, Integer> userIndex = new HashMap<>();
    private final Map<String, Integer> itemIndex = new HashMap<>();
    private final List<String> users = new ArrayList<>();
    private final List<String> items = new ArrayList<>();
    private int[] userOf = new int[1024];
    private int[] itemOf = new int[1024];
    private float[] weightOf = new float[1024];
    private int size;
    private long skipped;

    /** {@code docValues}: the hits carry the three fields as doc values (see {@link #readsDocValues}), not a source. */
    public EventTable(TrainSpec spec, boolean docValues) {
        this.spec = spec;
        this.docValues = docValues;
    }

    // Mappings whose doc values hold exactly what the source holds: plain keyword or integer ids, float or double weights.
    // Anything else (a normalizer, ignore_above, null_value, ignore_malformed, a script, a text field, an alias …) makes
    // the doc values differ from the source for some events, so those events are read from the source as before.
    private static final Set<String> ID_TYPES = Set.of("keyword", "long", "integer", "short", "byte");
    private static final Set<String> WEIGHT_TYPES = Set.of("float", "double");
    private static final Set<String> NEUTRAL_KEYS = Set.of("type", "index", "store", "doc_values", "eager_global_ordinals", "fields",
        "meta", "coerce", "time_series_dimension", "time_series_metric");

    /**
     * Whether events can be read from doc values: in every index the user and item fields are mapped as plain keyword or
     * integer fields and the weight as a plain float or double, each with doc values.
     */
    public static boolean readsDocValues(GetFieldMappingsResponse mappings, TrainSpec spec) {
        if (mappings.mappings().isEmpty()) {
            return false;
        }
        for (Map<String, FieldMappingMetadata> fields : mappings.mappings().values()) {
            if (plain(fields.get(spec.userField()), ID_TYPES) == false
                || plain(fields.get(spec.itemField()), ID_TYPES) == false
                || plain(fields.get(spec.weightField()), WEIGHT_TYPES) == false) {
                return false;
            }
        }
        return true;
    }

    private static boolean plain(FieldMappingMetadata field, Set<String> types) {
        Map<?, ?> mapping = FieldMappings.mappingOf(field); // null: unmapped in this index (a source may still hold it)
        return mapping != null
            && types.contains(mapping.get("type"))
            && NEUTRAL_KEYS.containsAll(mapping.keySet())
            && "false".equals(String.valueOf(mapping.get("doc_values"))) == false;
    }

    /** Adds one page of event hits. */
    public void add(SearchHit[] hits) {
        for (SearchHit hit : hits) {
            Object user;
            Object item;
            Object w;
            if (docValues) {
                user = single(hit.field(spec.userField()));
                item = single(hit.field(spec.itemField()));
                DocumentField weights = hit.field(spec.weightField());
                // several weights are an error, as a list in a source is: not silently one of them
                // no weight (a field without values comes back empty) counts as 1, as in a source without one
                w = weights == null || weights.getValues().isEmpty() ? null
                    : weights.getValues().size() == 1 ? weights.getValue() : weights.getValues();
            } else {
                Map<String, Object> source = hit.getSourceAsMap();
                user = source == null ? null : source.get(spec.userField());
                item = source == null ? null : source.get(spec.itemField());
                w = source == null ? null : source.get(spec.weightField());
            }
            // a user id that cannot name a profile is skipped like a missing one: it must not fail the page of profiles it
            // would be written with
            if (user == null || item == null || UserIds.problem(user.toString()) != null) {
                skipped++;
                continue;
            }
            float weight = w == null ? 1f : w instanceof Number n ? n.floatValue() : Float.NaN;
            if (Float.isFinite(weight) == false || weight < 0) {
                // doc values are read without the _id (no stored field at all): the event is named by its user and item
                String event = hit.getId() != null ? "event [" + hit.getId() + "]" : "the event of user [" + user + "] on item [" + item
                    + "]";
                throw new IllegalArgumentException("[events.weight] of " + event + " must be a finite number >= 0, got [" + w + "]");
            }
            append(indexOf(userIndex, users, user.toString()), indexOf(itemIndex, items, item.toString()), weight);
        }
    }

    /** A doc-values field's one value; none, or several (an event with two users?), count as missing: the event is skipped. */
    private static Object single(DocumentField field) {
        return field == null || field.getValues().size() != 1 ? null : field.getValues().get(0);
    }

    private void append(int user, int item, float weight) {
        if (size == userOf.length) {
            userOf = java.util.Arrays.copyOf(userOf, size * 2);
            itemOf = java.util.Arrays.copyOf(itemOf, size * 2);
            weightOf = java.util.Arrays.copyOf(weightOf, size * 2);
        }
        userOf[size] = user;
        itemOf[size] = item;
        weightOf[size] = weight;
        size++;
    }

    private static int indexOf(Map<String, Integer> index, List<String> ids, String id) {
        Integer at = index.get(id);
        if (at == null) {
            at = ids.size();
            index.put(id, at);
            ids.add(id);
        }
        return at;
    }

    /** Where the events were read from: {@code doc_values} or {@code _source} (reported by {@code _train}). */
    public String readFrom() {
        return docValues ? "doc_values" : "_source";
    }

    public int events() {
        return size;
    }

    public long skipped() {
        return skipped;
    }

    public List<String> users() {
        return users;
    }

    public List<String> items() {
        return items;
    }

    /** Users × items, repeated events adding up. */
    public Interactions userItems() {
        return Interactions.fromTriples(
            users.size(),
            items.size(),
            java.util.Arrays.copyOf(userOf, size),
            java.util.Arrays.copyOf(itemOf, size),
            java.util.Arrays.copyOf(weightOf, size)
        );
    }

    /** For each user, its items ordered by their latest event (oldest first), for the profile's history. */
    public int[][] itemsByRecency() {
        Map<Long, Integer> last = new HashMap<>();
        for (int t = 0; t < size; t++) {
            last.put((long) userOf[t] * items.size() + itemOf[t], t);
        }
        List<List<long[]>> perUser = new ArrayList<>(users.size());
        for (int u = 0; u < users.size(); u++) {
            perUser.add(new ArrayList<>());
        }
        for (Map.Entry<Long, Integer> e : last.entrySet()) {
            int user = (int) (e.getKey() / items.size());
            int item = (int) (e.getKey() % items.size());
            perUser.get(user).add(new long[] { e.getValue(), item });
        }
        int[][] out = new int[users.size()][];
        for (int u = 0; u < out.length; u++) {
            List<long[]> entries = perUser.get(u);
            entries.sort((a, b) -> Long.compare(a[0], b[0]));
            out[u] = entries.stream().mapToInt(e -> (int) e[1]).toArray();
        }
        return out;
    }
}
