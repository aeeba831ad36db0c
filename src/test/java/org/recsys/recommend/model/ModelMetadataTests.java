package org.recsys.recommend.model;

import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.common.io.stream.BytesStreamOutput;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.xcontent.ChunkedToXContent;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.ToXContent;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.elasticsearch.xcontent.XContentType;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.recsys.recommend.math.Normalization;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Models survive the wire (publication to other nodes) and XContent (the persisted cluster state) unchanged. */
public class ModelMetadataTests extends ESTestCase {

    public void testWireRoundTrip() throws IOException {
        for (int i = 0; i < 20; i++) {
            ModelMetadata original = randomMetadata();
            BytesStreamOutput out = new BytesStreamOutput();
            original.writeTo(out);
            try (StreamInput in = out.bytes().streamInput()) {
                assertEquals(original, new ModelMetadata(in));
            }
        }
    }

    public void testXContentRoundTripKeepsTheGramian() throws IOException {
        for (int i = 0; i < 20; i++) {
            ModelMetadata original = randomMetadata();
            XContentBuilder builder = JsonXContent.contentBuilder();
            builder.startObject();
            ChunkedToXContent.wrapAsToXContent(original).toXContent(builder, ToXContent.EMPTY_PARAMS);
            builder.endObject();
            BytesReference bytes = BytesReference.bytes(builder);
            XContentParserConfiguration config = XContentParserConfiguration.EMPTY;
            try (XContentParser parser = XContentType.JSON.xContent().createParser(config, bytes.streamInput())) {
                assertEquals(original, ModelMetadata.fromXContent(parser));
            }
        }
    }

    public void testRegularizationIsConstantUnlessTheModelSaysWeighted() throws IOException {
        String body = "{\"items\":{\"index\":\"i\"},\"users\":{\"index\":\"u\"},\"factors\":{\"dims\":4%s}}";
        assertFalse(parse(String.format(java.util.Locale.ROOT, body, "")).factors().weighted());
        assertTrue(parse(String.format(java.util.Locale.ROOT, body, ",\"regularization\":\"weighted\"")).factors().weighted());
        assertFalse(parse(String.format(java.util.Locale.ROOT, body, ",\"regularization\":\"constant\"")).factors().weighted());
        String perRow = String.format(java.util.Locale.ROOT, body, ",\"regularization\":\"per_row\"");
        Exception e = expectThrows(Exception.class, () -> parse(perRow));
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        assertEquals("[factors.regularization] must be one of [constant, weighted], got [per_row]", cause.getMessage());
    }

    private static RecommendModel parse(String json) throws IOException {
        try (XContentParser parser = JsonXContent.jsonXContent.createParser(XContentParserConfiguration.EMPTY, json)) {
            return RecommendModel.fromXContent("m", parser, false);
        }
    }

    public void testInvalidConfigurationsNameTheField() {
        assertEquals(
            "[factors.dims] must be between 1 and 1024, got [0]",
            expectThrows(IllegalArgumentException.class, () -> new FactorsConfig(0, 0.1, 1)).getMessage()
        );
        assertEquals(
            "[factors.lambda] must be a finite number > 0, got [NaN]",
            expectThrows(IllegalArgumentException.class, () -> new FactorsConfig(4, Double.NaN, 1)).getMessage()
        );
        assertEquals(
            "[users.max_history] must be between 1 and 10000, got [0]",
            expectThrows(IllegalArgumentException.class, () -> new UsersConfig("users", null, null, null, 0)).getMessage()
        );
    }

    private static ModelMetadata randomMetadata() {
        Map<String, RecommendModel> models = new HashMap<>();
        for (int m = 0; m < randomIntBetween(0, 3); m++) {
            int k = randomIntBetween(1, 8);
            double[] gramian = new double[k * k];
            for (int i = 0; i < gramian.length; i++) {
                gramian[i] = randomDouble();
            }
            List<SignalSpec> signals = randomBoolean()
                ? null
                : List.of(new SignalSpec(SignalKind.COLLABORATIVE, List.of("f"), randomDouble(), Normalization.LOGISTIC, 2.0, true));
            String id = randomAlphaOfLength(6);
            models.put(
                id,
                new RecommendModel(
                    id,
                    new ItemsConfig(randomAlphaOfLength(5), null, null, null, List.of("title")),
                    new UsersConfig(randomAlphaOfLength(5), null, null, randomBoolean() ? null : randomAlphaOfLength(4),
                        randomIntBetween(1, 1000)),
                    new FactorsConfig(k, 0.5, 10, randomBoolean(), randomBoolean()),
                    signals,
                    randomBoolean() ? null : new ModelState(gramian, randomNonNegativeLong(), randomNonNegativeLong(), between(0, 1))
                )
            );
        }
        return new ModelMetadata(models);
    }
}
