package org.recsys.recommend.train;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;

/** What {@code GET _tasks} shows for a running training: its phase and progress through it. */
public record TrainStatus(String phase, int iteration, int iterations, long events, long users, long items, long written)
    implements
        Task.Status {

    public static final String NAME = "recommend_train";

    public TrainStatus(StreamInput in) throws IOException {
        this(in.readString(), in.readVInt(), in.readVInt(), in.readVLong(), in.readVLong(), in.readVLong(), in.readVLong());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(phase);
        out.writeVInt(iteration);
        out.writeVInt(iterations);
        out.writeVLong(events);
        out.writeVLong(users);
        out.writeVLong(items);
        out.writeVLong(written);
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        return builder.startObject()
            .field("phase", phase)
            .field("iteration", iteration)
            .field("iterations", iterations)
            .field("events", events)
            .field("users", users)
            .field("items", items)
            .field("documents_written", written)
            .endObject();
    }
}
