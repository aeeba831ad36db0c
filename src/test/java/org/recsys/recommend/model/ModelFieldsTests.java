package org.recsys.recommend.model;

import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.elasticsearch.xcontent.json.JsonXContent;

import java.io.IOException;

/** Which fields a model serves and which a training writes, and the names both slots may not share. */
public class ModelFieldsTests extends ESTestCase {

    private static RecommendModel parse(String json) throws IOException {
        try (XContentParser parser = JsonXContent.jsonXContent.createParser(XContentParserConfiguration.EMPTY, json)) {
            return RecommendModel.fromXContent("m", parser, false);
        }
    }

    private static final String MODEL = "{\"items\":{\"index\":\"items\",\"factors\":\"emb.f\"},\"users\":{\"index\":\"users\"},"
        + "\"factors\":{\"dims\":2}}";

    public void testAModelWithoutStateServesTheConfiguredNamesAndTrainsIntoTheSecondSlot() throws IOException {
        RecommendModel model = parse(MODEL);
        assertEquals(new ModelFields(0, "emb.f", "neighbors", "popularity", "factors"), model.serving());
        assertEquals(new ModelFields(1, "emb.f_alt", "neighbors_alt", "popularity_alt", "factors_alt"), model.building());
    }

    public void testAStateSwitchesWhatIsServedAndWhereTheNextTrainingWrites() throws IOException {
        RecommendModel model = parse(MODEL).withState(new ModelState(new double[4], 3, 1, 1));
        assertEquals("emb.f_alt", model.serving().itemFactors());
        assertEquals("emb.f", model.building().itemFactors());
        assertEquals("a configured name stands for the served field", "neighbors_alt",
            model.serving().itemField(model.items(), "neighbors"));
        assertEquals("other names are read as given", "title", model.serving().itemField(model.items(), "title"));
    }

    public void testAConfiguredNameMayNotBeAnotherFieldsSecondSlot() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> parse(
            "{\"items\":{\"index\":\"items\",\"neighbors\":\"factors_alt\"},\"users\":{\"index\":\"users\"},\"factors\":{\"dims\":2}}"));
        assertEquals("[items.factors (second slot)] and [items.neighbors] must name different fields, both name [factors_alt]",
            e.getMessage());
    }

    public void testAStateStoredBeforeSlotsExistedServesSlotZero() throws IOException {
        String stored = "{\"gramian\":[1,0,0,1],\"items\":2,\"refreshed_at_millis\":5}";
        try (XContentParser parser = JsonXContent.jsonXContent.createParser(XContentParserConfiguration.EMPTY, stored)) {
            assertEquals(0, ModelState.fromXContent(parser).slot());
        }
        expectThrows(IllegalArgumentException.class, () -> new ModelState(new double[4], 1, 1, 2));
    }
}
