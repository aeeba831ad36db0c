package org.recsys.recommend.train;

import org.elasticsearch.search.SearchHit;
import org.recsys.recommend.math.Interactions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events read for training, as dense indices: user and item ids mapped to 0..n-1 in order of first appearance, and one
 * (user, item, weight) triple per event. Events without a user or item are skipped and counted.
 */
public final class EventTable {

    private final TrainSpec spec;
    private final Map<String, Integer> userIndex = new HashMap<>();
    private final Map<String, Integer> itemIndex = new HashMap<>();
    private final List<String> users = new ArrayList<>();
    private final List<String> items = new ArrayList<>();
    private int[] userOf = new int[1024];
    private int[] itemOf = new int[1024];
    private float[] weightOf = new float[1024];
    private int size;
    private long skipped;

    public EventTable(TrainSpec spec) {
        this.spec = spec;
    }

    /** Adds one page of event hits. */
    public void add(SearchHit[] hits) {
        for (SearchHit hit : hits) {
            Map<String, Object> source = hit.getSourceAsMap();
            Object user = source == null ? null : source.get(spec.userField());
            Object item = source == null ? null : source.get(spec.itemField());
            if (user == null || item == null) {
                skipped++;
                continue;
            }
            Object w = source.get(spec.weightField());
            float weight = w == null ? 1f : w instanceof Number n ? n.floatValue() : Float.NaN;
            if (Float.isFinite(weight) == false || weight < 0) {
                throw new IllegalArgumentException(
                    "[events.weight] of event [" + hit.getId() + "] must be a finite number >= 0, got [" + w + "]"
                );
            }
            append(indexOf(userIndex, users, user.toString()), indexOf(itemIndex, items, item.toString()), weight);
        }
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
