package org.recsys.recommend.action;

import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchTask;
import org.elasticsearch.tasks.TaskId;

import java.util.Map;

/**
 * A search whose query carries a user's profile (history, vector, seen items). Its task description leaves the source out:
 * {@code GET _tasks?detailed} is open to anyone with {@code monitor}, who must not read profiles from it.
 */
final class ProfileSearchRequest extends SearchRequest {

    ProfileSearchRequest(String... indices) {
        super(indices);
    }

    @Override
    public SearchTask createTask(long id, String type, String action, TaskId parentTaskId, Map<String, String> headers) {
        String description = "indices[" + String.join(",", indices()) + "], recommend search (its query holds a user's profile: not shown)";
        return new SearchTask(id, type, action, () -> description, parentTaskId, headers);
    }
}
