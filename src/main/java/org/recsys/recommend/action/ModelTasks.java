package org.recsys.recommend.action;

import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.admin.cluster.node.tasks.list.ListTasksRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.tasks.TaskId;
import org.elasticsearch.tasks.TaskInfo;

/**
 * One state-computing task per model at a time, cluster-wide: a training, an import and a refresh of the same model would each store
 * a Gramian, and the later one would win with factors the other may have replaced. Found through the tasks API (their
 * descriptions name the model); a training's node also keeps its own (see {@link TrainModelAction}).
 */
final class ModelTasks {

    static final String TRAINING = "train recommend model [";
    static final String REFRESH = "refresh recommend model [";
    static final String IMPORT = "import into recommend model [";

    private ModelTasks() {}

    /** Answers when no other training or refresh of {@code modelId} runs anywhere; a 409 naming the task otherwise. */
    static void requireNoneRunning(Client client, String modelId, TaskId self, ActionListener<Void> listener) {
        ListTasksRequest list = new ListTasksRequest().setActions(TrainModelAction.NAME, RefreshModelAction.NAME,
            ImportModelAction.NAME).setDetailed(true);
        client.admin().cluster().listTasks(list, listener.delegateFailureAndWrap((l, tasks) -> {
            for (TaskInfo info : tasks.getTasks()) {
                String description = info.description();
                boolean ofModel = description != null && (description.startsWith(TRAINING + modelId + "]")
                    || description.startsWith(REFRESH + modelId + "]") || description.startsWith(IMPORT + modelId + "]"));
                if (ofModel && info.taskId().equals(self) == false) {
                    throw busy(modelId, info.taskId());
                }
            }
            l.onResponse(null);
        }));
    }

    static ElasticsearchStatusException busy(String modelId, TaskId other) {
        return new ElasticsearchStatusException("[model] [" + modelId + "] is already being trained, imported into or refreshed by task ["
            + other + "]: wait for it (GET _tasks/" + other + "?wait_for_completion=true) or cancel it (POST _tasks/" + other + "/_cancel)",
            RestStatus.CONFLICT);
    }
}
