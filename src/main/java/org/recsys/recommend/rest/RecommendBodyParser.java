package org.recsys.recommend.rest;

import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.index.query.AbstractQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.search.fetch.subphase.FetchSourceContext;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.recsys.recommend.action.RecommendSpec;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.query.RecommendQueryBuilder;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Splits a {@code _recommend} body into the endpoint's own keys (page, diversity, dithering, backfill, what to return) and
 * the rest, which is a {@code recommend} query and is parsed (strictly) as one.
 */
final class RecommendBodyParser {

    private final Function<String, RecommendModel> models;
    private final XContentParserConfiguration parserConfig;

    RecommendBodyParser(Function<String, RecommendModel> models, XContentParserConfiguration parserConfig) {
        this.models = models;
        this.parserConfig = parserConfig;
    }

    RecommendSpec parse(Map<String, Object> body) throws IOException {
        Map<String, Object> rest = new HashMap<>(body);
        int size = intValue("size", rest.remove("size"), RecommendSpec.DEFAULT_SIZE);
        int from = intValue("from", rest.remove("from"), 0);
        RecommendSpec.Diversity diversity = diversity(rest.remove("diversity"));
        RecommendSpec.Dither dither = dither(rest.remove("dither"));
        RecommendSpec.Backfill backfill = backfill(rest.remove("backfill"));
        RecommendSpec.UnknownUser unknownUser = unknownUser(rest.remove("unknown_user"));
        boolean explain = booleanValue("explain", rest.remove("explain"), false);
        FetchSourceContext source = source(rest.remove("_source"));
        RecommendQueryBuilder query = query(rest);
        String popularity = "popularity";
        if (query.model() != null) {
            // the model's configured names stand for the fields it serves (the slot its last training switched to)
            RecommendModel model = models.apply(query.model());
            popularity = model.serving().popularity();
            if (diversity != null && diversity.mmrLambda() != null) {
                diversity = new RecommendSpec.Diversity(model.serving().itemField(model.items(), diversity.field()), 0,
                    diversity.mmrLambda());
            }
        }
        return new RecommendSpec(query, size, from, diversity, dither, backfill, unknownUser, explain, source, popularity, null);
    }

    private RecommendQueryBuilder query(Map<String, Object> rest) throws IOException {
        try (XContentParser parser = parserFor(rest)) {
            return RecommendQueryBuilder.fromXContent(parser, models);
        }
    }

    private XContentParser parserFor(Object value) throws IOException {
        XContentBuilder json = JsonXContent.contentBuilder().value(value);
        return JsonXContent.jsonXContent.createParser(parserConfig, BytesReference.bytes(json).streamInput());
    }

    private RecommendSpec.Diversity diversity(Object value) {
        if (value == null) {
            return null;
        }
        Map<String, Object> map = object("diversity", value);
        Map<String, Object> copy = new HashMap<>(map);
        Object mmr = copy.remove("mmr");
        if (mmr != null) {
            Map<String, Object> mmrMap = new HashMap<>(object("diversity.mmr", mmr));
            String field = stringValue("diversity.mmr.field", mmrMap.remove("field"), "factors");
            double lambda = doubleValue("diversity.mmr.lambda", mmrMap.remove("lambda"), 0.7);
            noMoreKeys("diversity.mmr", mmrMap);
            noMoreKeys("diversity", copy);
            return new RecommendSpec.Diversity(field, 0, lambda);
        }
        String field = stringValue("diversity.field", copy.remove("field"), null);
        int max = intValue("diversity.max_per_value", copy.remove("max_per_value"), 1);
        noMoreKeys("diversity", copy);
        return new RecommendSpec.Diversity(field, max, null);
    }

    private RecommendSpec.Dither dither(Object value) {
        if (value == null) {
            return null;
        }
        Map<String, Object> map = new HashMap<>(object("dither", value));
        long seed = (long) doubleValue("dither.seed", map.remove("seed"), 0);
        double epsilon = doubleValue("dither.epsilon", map.remove("epsilon"), 1.5);
        noMoreKeys("dither", map);
        return new RecommendSpec.Dither(seed, epsilon);
    }

    private RecommendSpec.Backfill backfill(Object value) throws IOException {
        if (value == null || "popularity".equals(value)) {
            return RecommendSpec.Backfill.POPULARITY;
        }
        if ("none".equals(value) || Boolean.FALSE.equals(value)) {
            return RecommendSpec.Backfill.NONE;
        }
        if (value instanceof Map<?, ?>) {
            Map<String, Object> map = new HashMap<>(object("backfill", value));
            Object query = map.remove("query");
            noMoreKeys("backfill", map);
            if (query == null) {
                throw new IllegalArgumentException("[backfill] object needs a [query]");
            }
            try (XContentParser parser = parserFor(query)) {
                QueryBuilder parsed = AbstractQueryBuilder.parseTopLevelQuery(parser);
                return new RecommendSpec.Backfill(true, parsed);
            }
        }
        throw new IllegalArgumentException("[backfill] must be \"popularity\", \"none\" or {\"query\": {...}}, got [" + value + "]");
    }

    private static RecommendSpec.UnknownUser unknownUser(Object value) {
        if (value == null) {
            return RecommendSpec.UnknownUser.ERROR;
        }
        return switch (String.valueOf(value)) {
            case "error" -> RecommendSpec.UnknownUser.ERROR;
            case "backfill" -> RecommendSpec.UnknownUser.BACKFILL;
            default -> throw new IllegalArgumentException("[unknown_user] must be \"error\" or \"backfill\", got [" + value + "]");
        };
    }

    private static FetchSourceContext source(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean b) {
            return FetchSourceContext.of(b);
        }
        if (value instanceof String s) {
            // from the query string everything is a string: ?_source=false means no source, as for _search
            if (s.equals("true") || s.equals("false")) {
                return FetchSourceContext.of(Boolean.parseBoolean(s));
            }
            return FetchSourceContext.of(true, s.split(","), null);
        }
        if (value instanceof List<?> list && list.stream().allMatch(v -> v instanceof String)) {
            return FetchSourceContext.of(true, list.stream().map(String.class::cast).toArray(String[]::new), null);
        }
        throw new IllegalArgumentException("[_source] must be a boolean, a field pattern or an array of them, got [" + value + "]");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String field, Object value) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException("[" + field + "] must be an object, got [" + value + "]");
    }

    private static void noMoreKeys(String field, Map<String, Object> rest) {
        if (rest.isEmpty() == false) {
            throw new IllegalArgumentException("[" + field + "] has unknown keys " + rest.keySet());
        }
    }

    static int intValue(String field, Object value, int defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        try {
            double d = value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString());
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (int) d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("[" + field + "] must be an integer, got [" + value + "]");
        }
    }

    private static double doubleValue(String field, Object value, double defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        try {
            double d = value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString());
            if (Double.isFinite(d) == false) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("[" + field + "] must be a finite number, got [" + value + "]");
        }
    }

    private static String stringValue(String field, Object value, String defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("[" + field + "] must be a string, got [" + value + "]");
    }

    static boolean booleanValue(String field, Object value, boolean defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        return switch (value.toString().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("[" + field + "] must be true or false, got [" + value + "]");
        };
    }
}
