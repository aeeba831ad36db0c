package org.recsys.recommend.train.it;

import org.recsys.recommend.testing.JsonHttp;

/** Watching a training task from a test. */
final class TrainTasks {

    private TrainTasks() {}

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
