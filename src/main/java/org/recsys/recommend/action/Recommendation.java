package org.recsys.recommend.action;

import org.apache.lucene.search.Explanation;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.common.lucene.Lucene;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** One recommended item: where it is, its score and rank, whether it came from backfill, its signals and reasons. */
record Recommendation(
    String index,
    String id,
    float score,
    boolean backfill,
    Map<String, Object> source,
    List<ExplanationReader.Signal> signals,
    List<String> reasons,
    Explanation explanation
) implements Writeable, ToXContentObject {

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(index);
        out.writeString(id);
        out.writeFloat(score);
        out.writeBoolean(backfill);
        out.writeGenericMap(source == null ? Map.of() : source);
        out.writeCollection(signals, (o, s) -> {
            o.writeString(s.name());
            o.writeDouble(s.raw());
            o.writeDouble(s.normalized());
            o.writeDouble(s.weight());
            o.writeDouble(s.contribution());
        });
        out.writeStringCollection(reasons);
        out.writeOptionalWriteable(explanation == null ? null : o -> Lucene.writeExplanation(o, explanation));
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field("_index", index);
        builder.field("_id", id);
        builder.field("_score", score);
        builder.field("backfill", backfill);
        if (source != null) {
            builder.field("_source", source);
        }
        builder.startObject("signals");
        for (ExplanationReader.Signal s : signals) {
            builder.startObject(s.name())
                // explanation values are floats: print them as such rather than as widened doubles
                .field("raw", (float) s.raw())
                .field("normalized", (float) s.normalized())
                .field("weight", (float) s.weight())
                .field("contribution", (float) s.contribution())
                .endObject();
        }
        builder.endObject();
        builder.stringListField("reasons", reasons);
        if (explanation != null) {
            builder.field("_explanation");
            toXContent(builder, explanation);
        }
        return builder.endObject();
    }

    private static void toXContent(XContentBuilder builder, Explanation explanation) throws IOException {
        builder.startObject();
        builder.field("value", explanation.getValue().floatValue());
        builder.field("description", explanation.getDescription());
        builder.startArray("details");
        for (Explanation detail : explanation.getDetails()) {
            toXContent(builder, detail);
        }
        builder.endArray();
        builder.endObject();
    }
}
