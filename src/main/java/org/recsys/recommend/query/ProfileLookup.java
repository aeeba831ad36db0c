package org.recsys.recommend.query;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.get.GetRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.index.IndexNotFoundException;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;

import java.util.List;
import java.util.Map;

/**
 * Reads a user's profile document with the caller's own privileges (the client carries the caller's security context),
 * so a caller who may not read the users index gets a security error, never someone's profile.
 */
final class ProfileLookup {

    /** A user's vector (null when the profile has none), history and seen set (each empty when the profile has none). */
    record Profile(float[] vector, List<HistoryItem> history, List<String> seen) {}

    private ProfileLookup() {}

    static void fetch(UserRef user, Client client, ActionListener<Profile> listener) {
        GetRequest get = new GetRequest(user.index(), user.id()).fetchSourceContext(
            // 9.x leaves vectors out of _source unless asked for them.
            FetchSourceContext.of(true, false, new String[] { user.vectorField(), user.historyField(), user.seenField() }, null)
        ).realtime(true);
        client.get(get, ActionListener.wrap(response -> {
            if (response.isExists() == false) {
                listener.onFailure(new UnknownUserException(user));
                return;
            }
            Map<String, Object> source = response.getSourceAsMap();
            String where = user.index() + "/" + user.id();
            float[] vector = readVector(where, user.vectorField(), source == null ? null : source.get(user.vectorField()));
            List<HistoryItem> history = source == null
                ? List.of()
                : HistoryItem.fromSource(where + " " + user.historyField(), source.get(user.historyField()));
            List<String> seen = source == null ? List.of() : SeenIds.fromSource(where + " " + user.seenField(),
                source.get(user.seenField()));
            listener.onResponse(new Profile(vector, history, seen));
        }, e -> {
            if (e instanceof IndexNotFoundException) {
                listener.onFailure(new IllegalArgumentException("[user.index] no such index [" + user.index() + "]", e));
            } else {
                listener.onFailure(e);
            }
        }));
    }

    static float[] readVector(String where, String field, Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> list) {
            float[] vector = new float[list.size()];
            for (int i = 0; i < vector.length; i++) {
                if (list.get(i) instanceof Number n) {
                    vector[i] = n.floatValue();
                } else {
                    throw new IllegalArgumentException("[" + field + "] of [" + where + "] must be an array of numbers");
                }
            }
            return vector.length == 0 ? null : vector;
        }
        throw new IllegalArgumentException("[" + field + "] of [" + where + "] must be an array of numbers, got [" + value + "]");
    }
}
