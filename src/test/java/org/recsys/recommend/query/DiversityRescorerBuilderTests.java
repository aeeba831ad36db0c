package org.recsys.recommend.query;

import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.search.rescore.RescorerBuilder;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.NamedXContentRegistry;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentType;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Wire and JSON round trips of the {@code recommend_diversity} rescorer, and its refusals. */
public class DiversityRescorerBuilderTests extends ESTestCase {

    @Override
    protected NamedXContentRegistry xContentRegistry() {
        return new NamedXContentRegistry(
            List.of(
                new NamedXContentRegistry.Entry(
                    RescorerBuilder.class,
                    new ParseField(DiversityRescorerBuilder.NAME),
                    (p, c) -> DiversityRescorerBuilder.fromXContent(p)
                )
            )
        );
    }

    private DiversityRescorerBuilder randomBuilder() {
        DiversityRescorerBuilder builder = new DiversityRescorerBuilder(randomAlphaOfLengthBetween(1, 10), randomIntBetween(1, 50),
            randomBoolean());
        return randomBoolean() ? builder : builder.windowSize(randomIntBetween(1, 10_000));
    }

    public void testWireRoundTrip() throws IOException {
        for (int i = 0; i < 20; i++) {
            DiversityRescorerBuilder original = randomBuilder();
            DiversityRescorerBuilder copy = copyWriteable(original, new NamedWriteableRegistry(List.of()), DiversityRescorerBuilder::new);
            assertEquals(original, copy);
            assertEquals(original.hashCode(), copy.hashCode());
        }
    }

    public void testJsonRoundTrip() throws IOException {
        for (int i = 0; i < 20; i++) {
            DiversityRescorerBuilder original = randomBuilder();
            String json = XContentHelper.toXContent(original, XContentType.JSON, false).utf8ToString();
            try (XContentParser parser = createParser(XContentType.JSON.xContent(), json)) {
                parser.nextToken();
                assertEquals(original, RescorerBuilder.parseFromXContent(parser, name -> {}));
            }
        }
    }

    public void testDefaultsAndChangesAreNotEqual() {
        DiversityRescorerBuilder a = new DiversityRescorerBuilder("genres", 3, false);
        assertNotEquals(a, new DiversityRescorerBuilder("genres", 2, false));
        assertNotEquals(a, new DiversityRescorerBuilder("tags", 3, false));
        assertNotEquals(a, new DiversityRescorerBuilder("genres", 3, true));
        assertNotEquals(a, new DiversityRescorerBuilder("genres", 3, false).windowSize(5));
    }

    public void testBadInputNamesTheField() throws IOException {
        IllegalArgumentException cap = expectThrows(IllegalArgumentException.class, () -> new DiversityRescorerBuilder("g", 0, false));
        assertEquals("[recommend_diversity.max_per_value] must be >= 1, got [0]", cap.getMessage());
        IllegalArgumentException field = expectThrows(IllegalArgumentException.class, () -> new DiversityRescorerBuilder(" ", 1, false));
        assertEquals("[recommend_diversity.field] must name a field", field.getMessage());
        Map<String, String> cases = Map.of(
            "{\"field\":\"g\"}", "Required [max_per_value]",
            "{\"field\":\"g\",\"max_per_value\":1,\"colour\":1}", "unknown field [colour]",
            "{\"field\":\"g\",\"max_per_value\":\"x\"}", "[max_per_value]"
        );
        for (Map.Entry<String, String> c : cases.entrySet()) {
            try (XContentParser parser = createParser(XContentType.JSON.xContent(), c.getKey())) {
                // XContentParseException is an IllegalArgumentException: both are 400s naming the key
                IllegalArgumentException e = expectThrows(
                    IllegalArgumentException.class,
                    () -> DiversityRescorerBuilder.fromXContent(parser)
                );
                assertTrue(c.getKey() + " -> " + e.getMessage(), e.getMessage().contains(c.getValue()));
            }
        }
    }
}
