package org.recsys.recommend.demo;

import com.fasterxml.jackson.databind.JsonNode;

import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The README's first command: starts a real node with the plugin on 127.0.0.1:9250, loads a small synthetic film
 * catalogue, and prints live recommendations. The node keeps running afterwards; {@code ./run stop} stops it.
 */
public final class Demo {

    static final int PORT = 9250;

    private Demo() {}

    public static void main(String[] args) throws Exception {
        boolean movieLens = args.length == 2 && args[0].equals("--movielens");
        if (args.length != 0 && movieLens == false) {
            System.err.println("usage: ./run demo [--movielens /path/to/ml-100k]");
            System.exit(2);
        }
        DemoCatalog catalog = movieLens ? DemoMovieLens.read(Path.of(args[1])) : new DemoCatalog(400, 300, 25, 42);
        Path home = Path.of(System.getProperty("java.io.tmpdir"), "recommend-demo");
        System.out.println("Starting Elasticsearch with the recommend plugin on 127.0.0.1:" + PORT + " (home " + home + ")");
        RealNode node = RealNode.start(NodeSpec.insecure().withHttpPort(PORT).withHeap("2g").detachedAt(home));
        Files.copy(node.home().resolve("logs/node.pid"), home.resolve("node.pid"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        JsonHttp http = node.http();
        print("GET /_recommend", http.get("/_recommend?pretty").body());

        DemoLoader.createIndices(http);
        DemoLoader.loadFilms(http, catalog.films);
        DemoLoader.loadViews(http, "film-events", catalog.views);
        DemoLoader.loadViews(http, "film-events-test", catalog.heldOut);
        System.out.printf(Locale.ROOT, "Loaded %d films into [films], %d views into [film-events] (%d held out in [film-events-test]).%n%n",
            catalog.films.size(), catalog.views.size(), catalog.heldOut.size());
        DemoLoader.registerModel(http, movieLens ? 60 : 5);

        String train = "{\"events\": {\"index\": \"film-events\"}, \"als\": {\"iterations\": 15, \"seed\": 42}, "
            + "\"neighbors\": {\"k\": 50}}";
        JsonHttp.Response trained = http.post("/_recommend/model/films/_train", train);
        DemoLoader.require(trained, "train model [films]");
        System.out.println("POST _recommend/model/films/_train " + train);
        System.out.printf(Locale.ROOT, "  trained on %d events, %d viewers, %d films in %d ms %s%n%n", trained.at("/events").asLong(),
            trained.at("/users").asLong(), trained.at("/items").asLong(), trained.at("/took").asLong(), trained.at("/phases_ms"));
        http.post("/films,viewers/_refresh", null);

        String evaluate = "{\"test\": {\"index\": \"film-events-test\"}, \"k\": 10, \"configs\": {"
            + "\"popularity\": {\"signals\": {\"popularity\": {\"weight\": 1, \"normalization\": \"linear\"}}},"
            + "\"collaborative\": {\"signals\": {\"collaborative\": {}}},"
            + "\"neighbors\": {\"signals\": {\"neighbors\": {\"normalization\": \"linear\"}}}, \"model blend\": {}}}";
        JsonHttp.Response evaluated = http.post("/_recommend/model/films/_evaluate", evaluate);
        DemoLoader.require(evaluated, "evaluate model [films]");
        System.out.println("POST _recommend/model/films/_evaluate (held-out views, K = 10)");
        System.out.println("  config          P@10    R@10    nDCG@10 MAP@10  HR@10   coverage");
        evaluated.at("/configs").fields().forEachRemaining(e -> System.out.printf(Locale.ROOT, "  %-15s %.4f  %.4f  %.4f  %.4f  %.4f  %d%n",
            e.getKey(), e.getValue().path("precision").asDouble(), e.getValue().path("recall").asDouble(),
            e.getValue().path("ndcg").asDouble(), e.getValue().path("map").asDouble(), e.getValue().path("hit_rate").asDouble(),
            e.getValue().path("coverage").asInt()));
        System.out.println();

        String user = catalog.views.get(0).user();
        List<String> history = catalog.historyOf(user);
        System.out.println("Viewer " + user + " watched " + history.size() + " films, e.g. " + titles(catalog, history.subList(0,
                Math.min(5, history.size()))));
        String forUser = "{\"model\": \"films\", \"user\": \"" + user + "\", \"size\": 5}";
        showRecommendations(catalog, "GET films/_recommend " + forUser, http.post("/films/_recommend", forUser));

        String seed = history.get(0);
        String cart = "{\"model\": \"films\", \"items\": [\"" + seed + "\"], \"size\": 5}";
        showRecommendations(catalog, "People who liked \"" + catalog.film(seed).title() + "\" also liked: GET films/_recommend " + cart,
            http.post("/films/_recommend", cart));

        // Live: the viewer discovers another genre; each event updates the profile (exact fold-in) before it is indexed.
        String liked = catalog.film(seed).genre();
        String genre = catalog.films.stream().map(DemoCatalog.Film::genre).filter(g -> g.equals(liked) == false).findFirst().orElse(liked);
        List<DemoCatalog.Film> discovered = catalog.films.stream().filter(f -> f.genre().equals(genre)).limit(4).toList();
        String deep = "{\"model\": \"films\", \"user\": \"" + user + "\", \"size\": 100}";
        Set<String> rated = discovered.stream().map(DemoCatalog.Film::id).collect(Collectors.toSet());
        String bestBefore = firstOfGenre(catalog, http.post("/films/_recommend", deep), genre, rated);
        for (DemoCatalog.Film film : discovered) {
            String event = "{\"user\": \"" + user + "\", \"item\": \"" + film.id() + "\", \"action\": \"rate\"}";
            JsonHttp.Response indexed = http.post("/film-events/_doc?pipeline=film-events&refresh=true", event);
            System.out.println("POST film-events/_doc?pipeline=film-events " + event + " -> HTTP " + indexed.status()
                + " (profile version " + http.get("/viewers/_doc/" + user).at("/_version").asText() + ")");
        }
        System.out.println();
        String after = "After rating 4 " + genre + " films, GET films/_recommend " + forUser;
        showRecommendations(catalog, after, http.post("/films/_recommend", forUser));
        // the top 5 may stay with the viewer's main genre: show where the new genre's best unrated film moved
        String bestAfter = firstOfGenre(catalog, http.post("/films/_recommend", deep), genre, rated);
        System.out.println("The best-ranked " + genre + " film the viewer has not rated yet: " + bestBefore + " before the 4 events, "
            + bestAfter + " after them (of the top 100).");
        System.out.println();

        System.out.println("Try it yourself (curl; in Kibana Dev Tools drop the curl part):");
        String url = "http://127.0.0.1:" + PORT;
        System.out.println("  curl -s '" + url + "/films/_recommend?pretty' -H 'Content-Type: application/json' -d '" + forUser + "'");
        System.out.println("  curl -s '" + url + "/films/_recommend?model=films&user=" + user + "&size=3&pretty'");
        System.out.println();
        System.out.println("The node keeps running on port " + PORT + "; stop it with: ./run stop");
        System.exit(0);
    }

    /** "id (title) at rank n" for the first recommendation of {@code genre} outside {@code excluded}, or "none". */
    private static String firstOfGenre(DemoCatalog catalog, JsonHttp.Response response, String genre, Set<String> excluded) {
        int rank = 0;
        for (JsonNode r : response.at("/recommendations")) {
            rank++;
            String id = r.path("_id").asText();
            if (excluded.contains(id) == false && catalog.film(id).genre().equals(genre)) {
                return id + " (\"" + catalog.film(id).title() + "\") at rank " + rank;
            }
        }
        return "none in the top " + rank;
    }

    private static void showRecommendations(DemoCatalog catalog, String heading, JsonHttp.Response response) {
        System.out.println(heading);
        if (response.status() != 200) {
            System.out.println("  request failed: HTTP " + response.status() + " " + response.body());
            return;
        }
        for (JsonNode r : response.at("/recommendations")) {
            List<String> reasons = new java.util.ArrayList<>();
            r.path("reasons").forEach(reason -> reasons.add(reason.asText()));
            System.out.printf(
                Locale.ROOT,
                "  %-6s %-26s %-12s %.3f  %s%n",
                r.path("_id").asText(),
                shorten(r.at("/_source/title").asText()),
                r.at("/_source/genre").asText(),
                r.path("_score").asDouble(),
                r.path("backfill").asBoolean() ? "(backfill)" : String.join("; ", reasons.subList(0, Math.min(2, reasons.size())))
            );
        }
        System.out.println();
    }

    private static String titles(DemoCatalog catalog, List<String> ids) {
        List<String> described = ids.stream().map(id -> "\"" + catalog.film(id).title() + "\" (" + catalog.film(id).genre() + ")").toList();
        return String.join(", ", described);
    }

    private static String shorten(String title) {
        return title.length() <= 26 ? title : title.substring(0, 25) + "…";
    }

    private static void print(String heading, String body) {
        System.out.println(heading);
        System.out.println(body);
    }
}
