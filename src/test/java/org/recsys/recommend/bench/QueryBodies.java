package org.recsys.recommend.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * The request bodies of every variant for one user, built before timing starts. Both sides get the same inputs: the user
 * vector and the history inline; the stock side also gets the history's titles as text, which a client holding the
 * history would have (the plugin fetches them itself, inside the timed request).
 */
final class QueryBodies {

    /** Query terms the stock content query keeps: the plugin's content signal uses the same limit. */
    static final int CONTENT_MAX_QUERY_TERMS = 25;

    private final SyntheticCatalogue.User user;
    private final String historyText;

    QueryBodies(SyntheticCatalogue catalogue, SyntheticCatalogue.User user) {
        this.user = user;
        this.historyText = catalogue.historyText(user.history());
    }

    SyntheticCatalogue.User user() {
        return user;
    }

    /** The plugin with three signals (collaborative, neighbors, content on title) and the default num_candidates. */
    String recommendBlended(int size, boolean exact) {
        return recommend(size, Set.of(Signal.COLLABORATIVE, Signal.NEIGHBORS, Signal.CONTENT), exact);
    }

    /** The 3-signal blend with a non-default num_candidates. */
    String recommendBlended(int size, int numCandidates) {
        ObjectNode body = (ObjectNode) parse(recommendBlended(size, false));
        ((ObjectNode) body.path("query").path("recommend")).put("num_candidates", numCandidates);
        return body.toString();
    }

    private static JsonNode parse(String json) {
        try {
            return BenchHttp.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The signals of the blend, for timing them one by one. */
    enum Signal {
        COLLABORATIVE,
        NEIGHBORS,
        CONTENT
    }

    /** The plugin with a subset of the blend's signals, default num_candidates. */
    String recommend(int size, Set<Signal> use, boolean exact) {
        ObjectNode body = searchBody(size);
        ObjectNode recommend = userInputs(body.putObject("query").putObject("recommend"));
        ObjectNode signals = recommend.putObject("signals");
        if (use.contains(Signal.COLLABORATIVE)) {
            signals.putObject("collaborative").put("field", "factors").put("weight", 1.0);
        }
        if (use.contains(Signal.NEIGHBORS)) {
            signals.putObject("neighbors").put("field", "neighbors").put("weight", 0.5);
        }
        if (use.contains(Signal.CONTENT)) {
            signals.putObject("content").put("weight", 0.3).putArray("fields").add("title");
        }
        if (exact) {
            recommend.put("exact", true);
        }
        return body.toString();
    }

    /** What the plugin does before its content signal can run: read the history items' titles (an ids query). */
    String historyTitles() {
        ObjectNode body = BenchHttp.MAPPER.createObjectNode();
        body.put("size", user.history().length);
        body.putArray("_source").add("title");
        historyIds(body.putObject("query").putObject("ids").putArray("values"));
        return body.toString();
    }

    /** The plugin with the collaborative signal only; {@code numCandidates} 0 keeps the default. */
    String recommendCollaborative(int size, int numCandidates, boolean exact) {
        ObjectNode body = searchBody(size);
        ObjectNode recommend = userInputs(body.putObject("query").putObject("recommend"));
        recommend.putObject("signals").putObject("collaborative").put("field", "factors").put("weight", 1.0);
        if (numCandidates > 0) {
            recommend.put("num_candidates", numCandidates);
        }
        if (exact) {
            recommend.put("exact", true);
        }
        return body.toString();
    }

    /** Stock approximate kNN on the factors, the history excluded by a filter. */
    String stockKnn(int k, int numCandidates) {
        ObjectNode body = searchBody(k);
        ObjectNode knn = body.putObject("knn");
        knn.put("field", "factors");
        ArrayNode vector = knn.putArray("query_vector");
        for (float f : user.vector()) {
            vector.add(f);
        }
        knn.put("k", k).put("num_candidates", numCandidates);
        historyIds(knn.putObject("filter").putObject("bool").putObject("must_not").putObject("ids").putArray("values"));
        return body.toString();
    }

    /** Stock content query: more_like_this on the history's titles, the history excluded. */
    String stockContent(int size) {
        ObjectNode body = searchBody(size);
        ObjectNode bool = body.putObject("query").putObject("bool");
        ObjectNode mlt = bool.putObject("must").putObject("more_like_this");
        mlt.putArray("fields").add("title");
        mlt.put("like", historyText).put("min_term_freq", 1).put("min_doc_freq", 1).put("max_query_terms", CONTENT_MAX_QUERY_TERMS);
        mlt.put("minimum_should_match", "1");
        historyIds(bool.putObject("must_not").putObject("ids").putArray("values"));
        return body.toString();
    }

    /** Both stock requests as one {@code _msearch} body. */
    String stockMsearch(int size, int numCandidates) {
        return "{}\n" + stockKnn(size, numCandidates) + "\n{}\n" + stockContent(size) + "\n";
    }

    private static ObjectNode searchBody(int size) {
        ObjectNode body = BenchHttp.MAPPER.createObjectNode();
        body.put("size", size);
        body.put("_source", false);
        return body;
    }

    private ObjectNode userInputs(ObjectNode recommend) {
        ArrayNode vector = recommend.putArray("user_vector");
        for (float f : user.vector()) {
            vector.add(f);
        }
        historyIds(recommend.putArray("history"));
        return recommend;
    }

    private void historyIds(ArrayNode ids) {
        for (int h : user.history()) {
            ids.add(SyntheticCatalogue.id(h));
        }
    }
}
