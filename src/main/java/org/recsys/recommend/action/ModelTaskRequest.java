package org.recsys.recommend.action;

import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.tasks.TaskId;

import java.io.IOException;
import java.util.Map;

/**
 * A request about one model that runs as a cancellable task (refresh, train, evaluate): the model id, the task, and a
 * description that {@code _tasks} shows. Validation happens when the body is parsed.
 */
abstract class ModelTaskRequest extends ActionRequest {

    private final String modelId;

    ModelTaskRequest(String modelId) {
        this.modelId = modelId;
    }

    ModelTaskRequest(StreamInput in) throws IOException {
        super(in);
        modelId = in.readString();
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        super.writeTo(out);
        out.writeString(modelId);
    }

    String modelId() {
        return modelId;
    }

    @Override
    public ActionRequestValidationException validate() {
        return null;
    }

    @Override
    public Task createTask(long taskId, String type, String action, TaskId parentTaskId, Map<String, String> headers) {
        return new CancellableTask(taskId, type, action, getDescription(), parentTaskId, headers);
    }
}
