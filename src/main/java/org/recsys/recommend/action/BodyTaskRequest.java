package org.recsys.recommend.action;

import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.tasks.TaskId;
import org.elasticsearch.xcontent.NamedXContentRegistry;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.elasticsearch.xcontent.XContentType;
import org.recsys.recommend.train.TrainTask;

import java.io.IOException;
import java.util.Map;

/**
 * A long model task whose body is parsed only once the caller is authorized (its defaults may come from the model, whose
 * existence an unauthorized caller must not learn). {@code validateOnly} stops after the parse: the REST layer sends it
 * first for {@code wait_for_completion=false}, so refusals come back as errors, not as a task id whose result is one.
 */
public abstract class BodyTaskRequest extends ModelTaskRequest {

    private final BytesReference body;
    private final XContentType bodyType;
    private final boolean validateOnly;
    private boolean storeResult;

    BodyTaskRequest(String id, BytesReference body, XContentType bodyType, boolean validateOnly) {
        super(id);
        this.body = body;
        this.bodyType = bodyType;
        this.validateOnly = validateOnly;
    }

    BodyTaskRequest(StreamInput in) throws IOException {
        super(in);
        body = in.readBytesReference();
        bodyType = in.readEnum(XContentType.class);
        validateOnly = in.readBoolean();
        storeResult = in.readBoolean();
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        super.writeTo(out);
        out.writeBytesReference(body);
        out.writeEnum(bodyType);
        out.writeBoolean(validateOnly);
        out.writeBoolean(storeResult);
    }

    /** A request started with {@code wait_for_completion=false} keeps its result in the tasks index. */
    public void setShouldStoreResult(boolean store) {
        this.storeResult = store;
    }

    @Override
    public boolean getShouldStoreResult() {
        return storeResult;
    }

    /** Its status follows the phases of the training or import (see {@link TrainTask}). */
    @Override
    public Task createTask(long taskId, String type, String action, TaskId parentTaskId, Map<String, String> headers) {
        return new TrainTask(taskId, type, action, getDescription(), parentTaskId, headers);
    }

    boolean validateOnly() {
        return validateOnly;
    }

    /** A parser over the body; the caller closes it. */
    XContentParser bodyParser(NamedXContentRegistry registry) throws IOException {
        return XContentHelper.createParserNotCompressed(XContentParserConfiguration.EMPTY.withRegistry(registry), body, bodyType);
    }
}
