package org.recsys.recommend.query;

import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.search.SearchModule;
import org.elasticsearch.search.rescore.RescorerBuilder;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.NamedXContentRegistry;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Wire and JSON round trips of the {@code recommend_diversity} rescorer, and its refusals. */
public class DiversityRescorerBuilderTests extends ESTestCase {

    private static final SearchModule SEARCH = new SearchModule(Settings.EMPTY, List.of());

    @Override
    protected NamedXContentRegistry xContentRegistry() {
        List<NamedXContentRegistry.Entry> entries = new ArrayList<>(SEARCH.getNamedXContents());
        entries.add(
            new NamedXContentRegistry.Entry(
                RescorerBuilder.class,
                new ParseField(DiversityRescorerBuilder.NAME),
                (p, c) -> DiversityRescorerBuilder.fromXContent(p)
            )
        );
        return new NamedXContentRegistry(entries);
    }

    private DiversityRescorerBuilder randomBuilder() {
        DiversityBackfill backfill = randomBoolean()
            ? null
            : new DiversityBackfill(
                randomIntBetween(1, 100),
                randomAlphaOfLength(5),
                randomBoolean() ? null : QueryBuilders.termQuery(randomAlphaOfLength(4), randomAlphaOfLength(4)),
                randomList(0, 4, () -> randomAlphaOfLength(3))
            );
        DiversityRescorerBuilder builder = new DiversityRescorerBuilder(randomAlphaOfLengthBetween(1, 10), randomIntBetween(1, 50),
            randomBoolean(), backfill);
        return randomBoolean() ? builder : builder.windowSize(randomIntBetween(1, 10_000));
    }

    public void testWireRoundTrip() throws IOException {
        for (int i = 0; i < 20; i++) {
            DiversityRescorerBuilder original = randomBuilder();
            NamedWriteableRegistry registry = new NamedWriteableRegistry(SEARCH.getNamedWriteables());
            DiversityRescorerBuilder copy = copyWriteable(original, registry, DiversityRescorerBuilder::new);
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
        assertNotEquals(a, new DiversityRescorerBuilder("genres", 3, false, new DiversityBackfill(10, "popularity", null, List.of())));
    }

    public void testBadInputNamesTheField() throws IOException {
        IllegalArgumentException cap = expectThrows(IllegalArgumentException.class, () -> new DiversityRescorerBuilder("g", 0, false));
        assertEquals("[recommend_diversity.max_per_value] must be >= 1, got [0]", cap.getMessage());
        IllegalArgumentException field = expectThrows(IllegalArgumentException.class, () -> new DiversityRescorerBuilder(" ", 1, false));
        assertEquals("[recommend_diversity.field] must name a field", field.getMessage());
        Map<String, String> cases = Map.of(
            "{\"field\":\"g\"}", "Required [max_per_value]",
            "{\"field\":\"g\",\"max_per_value\":1,\"colour\":1}", "unknown field [colour]",
            "{\"field\":\"g\",\"max_per_value\":\"x\"}", "[max_per_value]",
            "{\"field\":\"g\",\"max_per_value\":1,\"backfill\":{\"size\":0,\"sort_field\":\"p\"}}",
            "[recommend_diversity.backfill.size] must be between 1 and 10000",
            "{\"field\":\"g\",\"max_per_value\":1,\"backfill\":{\"size\":3}}", "Required [sort_field]"
        );
        for (Map.Entry<String, String> c : cases.entrySet()) {
            try (XContentParser parser = createParser(XContentType.JSON.xContent(), c.getKey())) {
                // XContentParseException is an IllegalArgumentException: both are 400s naming the key
                IllegalArgumentException e = expectThrows(
                    IllegalArgumentException.class,
                    () -> DiversityRescorerBuilder.fromXContent(parser)
                );
                // a nested object's error is the cause of its parent's, as in Elasticsearch's own parsers (caused_by in REST)
                StringBuilder messages = new StringBuilder();
                for (Throwable t = e; t != null; t = t.getCause()) {
                    messages.append(t.getMessage()).append(" / ");
                }
                assertTrue(c.getKey() + " -> " + messages, messages.toString().contains(c.getValue()));
            }
        }
    }
}
