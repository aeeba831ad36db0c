package org.recsys.recommend.action;

import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.tasks.TaskId;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfileSearchRequestTests {

    @Test
    void theTaskDescriptionLeavesTheProfileOut() {
        SearchSourceBuilder source = new SearchSourceBuilder().query(QueryBuilders.termsQuery("_id", "watched-by-alice-secretly"));
        ProfileSearchRequest request = new ProfileSearchRequest("items");
        request.source(source);
        String description = request.createTask(1, "transport", "indices:data/read/search", TaskId.EMPTY_TASK_ID, Map.of())
            .getDescription();
        assertTrue(description.contains("items"), description);
        assertFalse(description.contains("watched-by-alice-secretly"), description);
        // what a plain search would show: the reason for the subclass
        assertTrue(request.buildDescription().contains("watched-by-alice-secretly"));
    }
}
