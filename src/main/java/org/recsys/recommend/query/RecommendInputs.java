package org.recsys.recommend.query;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.recsys.recommend.math.Vectors;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a recommendation is computed from: a user to look up, and/or an inline vector, history, seed items and text. After
 * the lookups ran ({@link #resolved}), {@code user} is gone and everything it held is inline.
 */
public record RecommendInputs(
    UserRef user,
    float[] userVector,
    List<HistoryItem> history,
    List<String> items,
    List<String> likeText,
    boolean resolved,
    boolean contentOnShard, // resolved, and the history's content is read by the shard itself (one-shard index)
    List<String> seen // items the profile's seen set holds besides its bounded history: excluded, never scored from
) implements Writeable {

    public RecommendInputs(
        UserRef user,
        float[] userVector,
        List<HistoryItem> history,
        List<String> items,
        List<String> likeText,
        boolean resolved
    ) {
        this(user, userVector, history, items, likeText, resolved, false, List.of());
    }

    public RecommendInputs {
        history = history == null ? null : List.copyOf(history);
        items = List.copyOf(items);
        likeText = List.copyOf(likeText);
        seen = seen == null ? List.of() : List.copyOf(seen);
        userVector = userVector == null ? null : userVector.clone();
        if (userVector != null) {
            if (userVector.length == 0) {
                throw new IllegalArgumentException("[user_vector] must not be empty");
            }
            Vectors.requireBounded("user_vector", userVector);
        }
        for (String item : items) {
            if (item == null || item.isEmpty()) {
                throw new IllegalArgumentException("[items] must hold non-empty item ids");
            }
        }
        if (resolved == false && user == null && userVector == null && history == null && items.isEmpty() && likeText.isEmpty()) {
            throw new IllegalArgumentException(
                "[recommend] needs something to recommend from: one of [user], [user_vector], [history], [items] or [like_text]"
            );
        }
    }

    public RecommendInputs(StreamInput in) throws IOException {
        this(
            in.readOptionalWriteable(UserRef::new),
            in.readOptionalFloatArray(),
            in.readOptionalCollectionAsList(HistoryItem::new),
            in.readStringCollectionAsList(),
            in.readStringCollectionAsList(),
            in.readBoolean(),
            in.readBoolean(),
            in.readStringCollectionAsList()
        );
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeOptionalWriteable(user);
        out.writeOptionalFloatArray(userVector);
        out.writeOptionalCollection(history);
        out.writeStringCollection(items);
        out.writeStringCollection(likeText);
        out.writeBoolean(resolved);
        out.writeBoolean(contentOnShard);
        out.writeStringCollection(seen);
    }

    /** History to score neighbors with: the history, then the seed items at weight 1. */
    public List<HistoryItem> effectiveHistory() {
        List<HistoryItem> all = new ArrayList<>(history == null ? List.of() : history);
        for (String item : items) {
            all.add(new HistoryItem(item, 1f));
        }
        return all;
    }

    /** Ids of everything the user has seen (history, seeds and the profile's seen set), for {@code exclude_seen}. */
    public Set<String> seenIds() {
        Set<String> ids = new LinkedHashSet<>();
        effectiveHistory().forEach(h -> ids.add(h.item()));
        ids.addAll(seen);
        return ids;
    }

    public boolean hasAnyPersonalInput() {
        return userVector != null || effectiveHistory().isEmpty() == false || likeText.isEmpty() == false;
    }

    /** The inputs after lookups: the profile's vector and history unless given inline, plus fetched content and seed vector. */
    public RecommendInputs resolvedWith(float[] vector, List<HistoryItem> resolvedHistory, List<String> extraText) {
        List<String> text = new ArrayList<>(likeText);
        text.addAll(extraText);
        return new RecommendInputs(null, vector, resolvedHistory, items, text, true, false, seen);
    }

    /**
     * The inputs after lookups when the history's content is left to the shard: it reads the history items' text from
     * its own index while the other candidate generators run, instead of a multi-get before the search.
     */
    public RecommendInputs resolvedWithContentOnShard(float[] vector, List<HistoryItem> resolvedHistory) {
        return new RecommendInputs(null, vector, resolvedHistory, items, likeText, true, true, seen);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecommendInputs other
            && Objects.equals(user, other.user)
            && Arrays.equals(userVector, other.userVector)
            && Objects.equals(history, other.history)
            && items.equals(other.items)
            && likeText.equals(other.likeText)
            && resolved == other.resolved
            && contentOnShard == other.contentOnShard
            && seen.equals(other.seen);
    }

    @Override
    public int hashCode() {
        return Objects.hash(user, Arrays.hashCode(userVector), history, items, likeText, resolved, contentOnShard, seen);
    }

    @Override
    public String toString() {
        return "RecommendInputs[user=" + user + ", userVector=" + Arrays.toString(userVector) + ", history=" + history + ", items="
            + items + ", likeText=" + likeText + ", resolved=" + resolved + ", contentOnShard=" + contentOnShard
            + ", seen=" + seen.size() + " items]";
    }
}
