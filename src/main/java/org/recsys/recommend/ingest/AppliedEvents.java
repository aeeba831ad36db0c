package org.recsys.recommend.ingest;

import org.recsys.recommend.model.UsersConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The {@code _id}s of the last {@value #MAX} events a profile took, oldest first, kept in the profile
 * ({@link UsersConfig#EVENT_IDS}). A client that retries an event under the same id (after a timeout, or a
 * {@code _create} that conflicts because the first attempt was stored) finds it here, and the profile counts it once.
 * Events without a client-given id (Elasticsearch generates it after the pipeline) cannot be told apart from repeats, and
 * count each time, as they do in the events index.
 */
final class AppliedEvents {

    static final int MAX = 200;

    private final LinkedHashSet<String> ids; // this profile's own copy: events are added in place
    private boolean changed;

    private AppliedEvents(LinkedHashSet<String> ids) {
        this.ids = ids;
    }

    static AppliedEvents fromSource(Object value) {
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        if (value instanceof List<?> list) {
            for (Object id : list) {
                if (id instanceof String s) {
                    ids.add(s);
                }
            }
        }
        return new AppliedEvents(ids); // anything else in the field (not ours) is replaced by the next write
    }

    boolean contains(String eventId) {
        return eventId != null && ids.contains(eventId);
    }

    /** Remembers {@code eventId} (null: an event without a client-given id, nothing to remember), dropping the oldest. */
    void add(String eventId) {
        if (eventId == null) {
            return;
        }
        ids.add(eventId);
        while (ids.size() > MAX) {
            ids.remove(ids.iterator().next());
        }
        changed = true;
    }

    /** {@code others} with these ids in their field when they changed; the same map otherwise. */
    Map<String, Object> into(Map<String, Object> others) {
        if (changed == false) {
            return others;
        }
        Map<String, Object> updated = new HashMap<>(others);
        updated.put(UsersConfig.EVENT_IDS, new ArrayList<>(ids));
        return Collections.unmodifiableMap(updated);
    }
}
