package org.recsys.recommend.ingest;

import org.recsys.recommend.math.Vectors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's bounded interaction history, oldest first, one entry per item. An event for an item already present merges
 * into it (weights add up: repeated interactions raise the confidence c = 1 + α r) and moves it to the most recent place
 * with the event's timestamp; past {@code maxHistory} entries the oldest are dropped.
 */
public final class History {

    /** One item's accumulated interaction strength and the time of its latest event. */
    public record Entry(String item, double weight, String ts) {}

    private final List<Entry> entries;

    private History(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static History empty() {
        return new History(List.of());
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<String> items() {
        return entries.stream().map(Entry::item).toList();
    }

    /** What a fold-in solves from: the factors of the history's items that have them, and their weights, in order. */
    public record Evidence(List<float[]> factors, float[] weights) {}

    /**
     * The fold-in's evidence: items without factors (deleted, or cold) carry none and are left out; factors of another
     * length than {@code dims} fail, naming the item, the field and the model.
     */
    public Evidence evidence(Map<String, float[]> itemFactors, int dims, String factorsField, String model) {
        List<float[]> vectors = new ArrayList<>();
        float[] weights = new float[entries.size()];
        for (Entry entry : entries) {
            float[] y = itemFactors.get(entry.item());
            if (y == null) {
                continue;
            }
            if (y.length != dims) {
                throw new IllegalArgumentException("[" + factorsField + "] of item [" + entry.item() + "] has " + y.length
                    + " dims but model [" + model + "] expects " + dims);
            }
            weights[vectors.size()] = (float) entry.weight();
            vectors.add(y);
        }
        return new Evidence(vectors, Arrays.copyOf(weights, vectors.size()));
    }

    /** The history after one more event, merged and bounded. */
    public History append(String item, double weight, String ts, int maxHistory) {
        LinkedHashMap<String, Entry> byItem = new LinkedHashMap<>();
        for (Entry e : entries) {
            byItem.put(e.item(), e);
        }
        merge(byItem, item, weight, ts);
        return new History(new ArrayList<>(byItem.values())).bounded(maxHistory);
    }

    /** The most recent {@code maxHistory} entries. */
    public History bounded(int maxHistory) {
        if (entries.size() <= maxHistory) {
            return this;
        }
        return new History(entries.subList(entries.size() - maxHistory, entries.size()));
    }

    /** As stored in a profile's {@code _source}: {@code [{ "item": "i7", "weight": 2.0, "ts": "…" }]}. */
    public List<Map<String, Object>> toSource() {
        List<Map<String, Object>> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("item", e.item());
            m.put("weight", e.weight());
            if (e.ts() != null) {
                m.put("ts", e.ts());
            }
            out.add(m);
        }
        return out;
    }

    /** Reads a history given to the plugin: a list of ids or of {@code {item, weight, ts}} maps; repeats merge as events would. */
    public static History fromSource(String field, Object value) {
        return parse(field, value, false);
    }

    /**
     * Reads a history the plugin stored: as {@link #fromSource}, except that entries of weight 0 (which trainings before the
     * seen set wrote for events of weight 0) are left out, as fold-in leaves them out, instead of failing every later event.
     */
    public static History fromStored(String field, Object value) {
        return parse(field, value, true);
    }

    private static History parse(String field, Object value, boolean stored) {
        if (value == null) {
            return empty();
        }
        if (value instanceof List<?> == false) {
            throw new IllegalArgumentException("[" + field + "] must be an array of items, got [" + value + "]");
        }
        // merged in one pass (an append per element would copy the history each time: quadratic in its length)
        LinkedHashMap<String, Entry> byItem = new LinkedHashMap<>();
        for (Object element : (List<?>) value) {
            if (element instanceof String id) {
                merge(byItem, id, 1.0, null);
            } else if (element instanceof Map<?, ?> map && map.get("item") instanceof String id) {
                if (stored && map.get("weight") instanceof Number n && n.doubleValue() == 0) {
                    continue;
                }
                double weight = weightOf(field, id, map.get("weight"), stored);
                Object ts = map.get("ts");
                merge(byItem, id, weight, ts == null ? null : ts.toString());
            } else {
                throw new IllegalArgumentException(
                    "[" + field + "] entries must be item ids or objects with an [item], got [" + element + "]"
                );
            }
        }
        return new History(new ArrayList<>(byItem.values()));
    }

    /**
     * A repeat of an item adds its weight (up to {@link Vectors#MAX_MAGNITUDE}: every weight read back must be one that
     * would be accepted, or one heavy item would fail every later event of its user) and moves it to the most recent place,
     * with the later timestamp.
     */
    private static void merge(LinkedHashMap<String, Entry> byItem, String item, double weight, String ts) {
        Entry previous = byItem.remove(item);
        double sum = previous == null ? weight : Math.min(previous.weight() + weight, Vectors.MAX_MAGNITUDE);
        byItem.put(item, new Entry(item, sum, ts));
    }

    private static double weightOf(String field, String id, Object weight, boolean stored) {
        if (weight == null) {
            return 1.0;
        }
        double value = weight instanceof Number n ? n.doubleValue() : Double.NaN;
        if (stored && value > Vectors.MAX_MAGNITUDE && Double.isFinite(value)) {
            return Vectors.MAX_MAGNITUDE; // summed before sums were bounded (or by a training): read at the bound, not refused
        }
        if (Vectors.positiveAndBounded(value) == false) {
            throw new IllegalArgumentException("[" + field + "] entry for [" + id + "] has an invalid [weight] [" + weight
                + "]: it must be a number > 0 and at most " + (long) Vectors.MAX_MAGNITUDE);
        }
        return value;
    }
}
