package org.recsys.recommend.spark;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the job takes from the plugin's model ({@code GET _recommend/model/{id}}): the factor shape and hyper-parameters,
 * and how long a profile's history may be. The answer is {@code {"<id>": {"items": …, "users": {…, "max_history": 500},
 * "factors": {"dims": 64, "lambda": 0.1, "alpha": 10.0, "lambda_auto": false, "regularization": "weighted"}}}}.
 * {@code lambda_auto}: the model's λ is the plugin's placeholder, or what its last {@code _train} derived from the data.
 */
record ModelSettings(int dims, double lambda, double alpha, boolean lambdaAuto, String regularization, int maxHistory) {

    static final String WEIGHTED = "weighted";

    static ModelSettings fetch(EsHttp http, String model) {
        EsHttp.Response response = EsHttp.require(http.get("_recommend/model/" + EsHttp.segment(model)), "read model [" + model + "]");
        return parse(model, response.json());
    }

    static ModelSettings parse(String model, JsonNode answer) {
        JsonNode body = answer.path(model);
        JsonNode factors = body.path("factors");
        JsonNode users = body.path("users");
        if (factors.path("dims").isInt() == false || factors.path("lambda").isNumber() == false || factors.path("alpha").isNumber() == false
            || users.path("max_history").isInt() == false) {
            throw new IllegalStateException("model [" + model + "] came back without [factors.dims], [factors.lambda], [factors.alpha] "
                + "or [users.max_history]: is the plugin the version this job was built for? Got " + answer);
        }
        return new ModelSettings(factors.get("dims").intValue(), factors.get("lambda").doubleValue(), factors.get("alpha").doubleValue(),
            factors.path("lambda_auto").asBoolean(false), factors.path("regularization").asText("constant"),
            users.get("max_history").intValue());
    }

    /**
     * Spark's ALS regularizes each user and item by λ times its number of ratings (ALS-WR); the plugin's fold-in must do the
     * same, or the vectors it computes for new events would not match the ones trained here.
     */
    void requireWeighted(String model) {
        if (WEIGHTED.equals(regularization) == false) {
            throw new IllegalStateException("model [" + model + "] has [factors.regularization] [" + regularization + "], but Spark's ALS "
                + "regularizes each user and item by λ·n (ALS-WR), which fold-in follows only in [weighted] mode: PUT the model again "
                + "with \"factors\": {\"regularization\": \"weighted\", …} first");
        }
    }
}
