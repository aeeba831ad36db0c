package org.recsys.recommend.rest;

import org.elasticsearch.action.support.IndicesOptions;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.Strings;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestCancellableNodeClient;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.xcontent.XContentParser;
import org.recsys.recommend.action.RecommendRequest;
import org.recsys.recommend.action.RecommendSpec;
import org.recsys.recommend.action.TransportRecommendAction;
import org.recsys.recommend.model.RecommendModel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.elasticsearch.rest.RestRequest.Method.GET;
import static org.elasticsearch.rest.RestRequest.Method.POST;

/**
 * One call from a user (or items) to N recommendations with reasons.
 *
 * <pre>
 * GET items/_recommend
 * { "model": "movies", "user": "u42", "size": 10, "filter": { "term": { "in_stock": true } },
 *   "diversity": { "field": "genres", "max_per_value": 3 }, "backfill": "popularity", "explain": true }
 *
 * GET items/_recommend?model=movies&amp;user=u42&amp;size=5
 * GET items/_recommend  { "requests": [ { "model": "movies", "user": "u1" }, { "model": "movies", "items": ["i7"] } ] }
 * </pre>
 */
public class RestRecommendAction extends BaseRestHandler {

    private static final Set<String> QUERY_STRING_PARAMS = Set.of(
        "model", "user", "items", "size", "from", "backfill", "explain", "unknown_user", "exclude_seen", "like_text", "_source"
    );

    private final Function<String, RecommendModel> models;

    public RestRecommendAction(Function<String, RecommendModel> models) {
        this.models = models;
    }

    @Override
    public String getName() {
        return "recommend_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(GET, "/{index}/_recommend"), new Route(POST, "/{index}/_recommend"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
        String[] indices = Strings.splitStringByCommaToArray(request.param("index"));
        IndicesOptions options = IndicesOptions.fromRequest(request, SearchRequest.DEFAULT_INDICES_OPTIONS);
        Map<String, Object> body = new HashMap<>();
        if (request.hasContentOrSourceParam()) {
            try (XContentParser parser = request.contentOrSourceParamParser()) {
                body.putAll(parser.map());
            }
        }
        for (String param : QUERY_STRING_PARAMS) {
            if (request.hasParam(param)) {
                String value = request.param(param);
                body.put(param, param.equals("items") ? Arrays.asList(Strings.splitStringByCommaToArray(value)) : value);
            }
        }
        RecommendBodyParser parser = new RecommendBodyParser(models, request.contentParserConfig());
        List<RecommendSpec> specs = new ArrayList<>();
        Object requests = body.remove("requests");
        boolean batch = requests != null;
        if (batch) {
            if (body.isEmpty() == false) {
                throw new IllegalArgumentException("a batch takes only [requests], got also " + body.keySet());
            }
            if (requests instanceof List<?> == false || ((List<?>) requests).isEmpty()) {
                throw new IllegalArgumentException("[requests] must be a non-empty array of recommend requests");
            }
            String tooMany = RecommendRequest.tooMany(((List<?>) requests).size());
            if (tooMany != null) {
                throw new IllegalArgumentException(tooMany);
            }
            for (Object entry : (List<?>) requests) {
                specs.add(parseEntry(parser, entry));
            }
        } else {
            // reported after authorization, like a batch entry's: the parse consults the model, and a caller who may not
            // read these indices must get a 403, not learn from a 400 whether a model exists
            specs.add(parseEntry(parser, body));
        }
        RecommendRequest recommend = new RecommendRequest(indices, options, specs, batch);
        return channel -> new RestCancellableNodeClient(client, request.getHttpChannel()).execute(
            TransportRecommendAction.TYPE,
            recommend,
            new RestToXContentListener<>(channel)
        );
    }

    /** A malformed entry becomes that entry's error (in a batch, not the batch's), answered once the caller is authorized. */
    @SuppressWarnings("unchecked")
    private static RecommendSpec parseEntry(RecommendBodyParser parser, Object entry) {
        try {
            if (entry instanceof Map<?, ?> map) {
                return parser.parse((Map<String, Object>) map);
            }
            throw new IllegalArgumentException("[requests] entries must be objects, got [" + entry + "]");
        } catch (Exception e) {
            return RecommendSpec.failed(e);
        }
    }

    @Override
    protected Set<String> responseParams() {
        return Set.of();
    }
}
