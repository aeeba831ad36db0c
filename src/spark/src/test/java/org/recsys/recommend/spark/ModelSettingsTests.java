package org.recsys.recommend.spark;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelSettingsTests {

    /** What GET _recommend/model/m answers (a 9.5.4 node with the plugin, trimmed). */
    private static final String ANSWER = "{'m':{'items':{'index':'items','factors':'factors'},"
        + "'users':{'index':'users','factors':'factors','history':'history','seen':'seen','max_history':5},"
        + "'factors':{'dims':8,'lambda':0.1,'alpha':10.0,'lambda_auto':true,'regularization':'%s'}}}";

    private static ModelSettings parse(String regularization) throws IOException {
        return ModelSettings.parse("m", EsHttp.JSON.readTree(String.format(ANSWER, regularization).replace('\'', '"')));
    }

    @Test
    void readsShapeAndHyperParameters() throws IOException {
        ModelSettings model = parse("weighted");
        assertEquals(new ModelSettings(8, 0.1, 10.0, true, "weighted", 5), model);
        model.requireWeighted("m");
    }

    @Test
    void constantRegularizationIsRefusedWithTheFix() throws IOException {
        String message = assertThrows(IllegalStateException.class, () -> parse("constant").requireWeighted("m")).getMessage();
        assertTrue(message.contains("[factors.regularization] [constant]") && message.contains("\"regularization\": \"weighted\""),
            message);
    }

    @Test
    void anotherShapeFailsClearly() throws IOException {
        String message = assertThrows(IllegalStateException.class, () -> ModelSettings.parse("m", EsHttp.JSON.readTree("{\"m\":{}}")))
            .getMessage();
        assertTrue(message.contains("model [m] came back without [factors.dims]"), message);
    }
}
