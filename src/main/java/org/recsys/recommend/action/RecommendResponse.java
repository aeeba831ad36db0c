package org.recsys.recommend.action;

import org.elasticsearch.ElasticsearchException;
import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.xcontent.ToXContent;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.List;

/**
 * The answer to {@code _recommend}: for one request {@code {took, timed_out, _shards, recommendations}}; for a batch
 * {@code {took, responses: [...]}} where a failed entry is {@code {error, status}}, as in {@code _msearch}.
 */
public class RecommendResponse extends ActionResponse implements ToXContentObject {

    /** One entry's outcome: its recommendations and shard counts, or its failure. */
    record Entry(long tookMillis, boolean timedOut, int totalShards, int successfulShards, int skippedShards, int failedShards,
        List<Recommendation> recommendations, Exception failure) {

        static Entry failed(Exception e) {
            return new Entry(0, false, 0, 0, 0, 0, List.of(), e);
        }

        void toXContent(XContentBuilder builder, ToXContent.Params params) throws IOException {
            builder.startObject();
            if (failure != null) {
                builder.startObject("error");
                ElasticsearchException.generateThrowableXContent(builder, params, failure);
                builder.endObject();
                builder.field("status", ExceptionsHelper.status(failure).getStatus());
                builder.endObject();
                return;
            }
            builder.field("took", tookMillis);
            builder.field("timed_out", timedOut);
            builder.startObject("_shards")
                .field("total", totalShards)
                .field("successful", successfulShards)
                .field("skipped", skippedShards)
                .field("failed", failedShards)
                .endObject();
            builder.startArray("recommendations");
            for (Recommendation r : recommendations) {
                r.toXContent(builder, params);
            }
            builder.endArray();
            builder.endObject();
        }
    }

    private final List<Entry> entries;
    private final boolean batch;
    private final long tookMillis;

    RecommendResponse(List<Entry> entries, boolean batch, long tookMillis) {
        this.entries = List.copyOf(entries);
        this.batch = batch;
        this.tookMillis = tookMillis;
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeBoolean(batch);
        out.writeVLong(tookMillis);
        out.writeCollection(entries, (o, e) -> {
            o.writeException(e.failure());
            o.writeVLong(e.tookMillis());
            o.writeCollection(e.recommendations());
        });
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        if (batch == false) {
            entries.get(0).toXContent(builder, params);
            return builder;
        }
        builder.startObject();
        builder.field("took", tookMillis);
        builder.startArray("responses");
        for (Entry entry : entries) {
            entry.toXContent(builder, params);
        }
        builder.endArray();
        return builder.endObject();
    }
}
