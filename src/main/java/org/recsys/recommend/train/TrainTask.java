package org.recsys.recommend.train;

import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.TaskId;

import java.util.Map;

/** A cancellable training task whose status follows the phases of {@link Trainer}. */
public final class TrainTask extends CancellableTask {

    private volatile TrainStatus status = new TrainStatus("starting", 0, 0, 0, 0, 0, 0);

    public TrainTask(long id, String type, String action, String description, TaskId parentTaskId, Map<String, String> headers) {
        super(id, type, action, description, parentTaskId, headers);
    }

    public void status(TrainStatus next) {
        this.status = next;
    }

    public TrainStatus trainStatus() {
        return status;
    }

    @Override
    public Status getStatus() {
        return status;
    }
}
