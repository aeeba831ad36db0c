package org.recsys.recommend.train.it;

import org.recsys.recommend.testing.JsonHttp;

/** Watching a training task from a test. */
final class TrainTasks {

    private TrainTasks() {}

    /**
     * What the model's served field names end with: "" in slot 0 (the configured names), "_alt" in slot 1. A training
     * writes the slot not served and switches to it, so the first training of a model leaves it serving "_alt".
     */
    static String served(JsonHttp http, String model) {
        JsonHttp.Response response = http.get("/_recommend/model/" + model);
        if (response.status() != 200) {
            throw new AssertionError("no model [" + model + "]: " + response.body());
        }
        return response.at("/" + model + "/state/slot").asInt(0) == 0 ? "" : "_alt";
    }

    /** Waits (up to 30 s) until the training task reports {@code phase}; fails if it ends first. */
    static void waitForPhase(JsonHttp http, String task, String phase) throws InterruptedException {
        for (int attempt = 0; attempt < 600; attempt++) {
            JsonHttp.Response status = http.get("/_tasks/" + task);
            if (status.status() != 200 || status.at("/completed").asBoolean()) {
                throw new AssertionError("the training ended before phase [" + phase + "]: " + status.body());
            }
            if (phase.equals(status.at("/task/status/phase").asText())) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the training never reached phase [" + phase + "]");
    }
}
