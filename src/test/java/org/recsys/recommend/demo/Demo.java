package org.recsys.recommend.demo;

import com.fasterxml.jackson.databind.JsonNode;

import org.recsys.recommend.testing.JsonHttp;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The README's first command: starts a real node with the plugin on 127.0.0.1:9250, loads a small synthetic film
 * catalogue, and prints live recommendations. The node keeps running afterwards; {@code ./run stop} stops it.
 */
public final class Demo {

    static final int PORT = 9250;

    private Demo() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 1) {
            System.err.println("usage: ./run demo   (no options yet)");
            System.exit(2);
        }
        Path home = Path.of(System.getProperty("java.io.tmpdir"), "recommend-demo");
        System.out.println("Starting Elasticsearch with the recommend plugin on http://127.0.0.1:" + PORT + " (home " + home + ")");
        RealNode node = RealNode.start(NodeSpec.insecure().withHttpPort(PORT).detachedAt(home));
        Path serverPid = node.home().resolve("logs/node.pid");
        Files.copy(serverPid, home.resolve("node.pid"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        JsonHttp http = node.http();

        print("GET /_recommend", http.get("/_recommend?pretty").body());
        DemoCatalog catalog = new DemoCatalog(400, 50, 42);
        DemoLoader.load(http, catalog);
        int films = catalog.items.size();
        System.out.printf(Locale.ROOT, "Loaded %d films into [films] and %d users into [viewers].%n%n", films, catalog.users.size());
        DemoLoader.registerModel(http);
        System.out.println("Registered model [films] and computed its Gramian: POST _recommend/model/films/_refresh");
        System.out.println();

        DemoCatalog.User user = catalog.users.get(0);
        System.out.println("Viewer " + user.id() + " watched: " + titles(catalog, user.history()));
        String forUser = "{\"model\": \"films\", \"user\": \"" + user.id() + "\", \"size\": 5}";
        showRecommendations("GET films/_recommend " + forUser, http.post("/films/_recommend", forUser));

        String seed = user.history().get(0);
        String cart = "{\"model\": \"films\", \"items\": [\"" + seed + "\"], \"size\": 5}";
        showRecommendations(
            "People who liked \"" + catalog.item(seed).title() + "\" also liked: GET films/_recommend " + cart,
            http.post("/films/_recommend", cart)
        );

        // Live: the viewer discovers another genre; each event updates the profile (exact fold-in) before it is indexed.
        int liked = java.util.Arrays.asList(DemoCatalog.GENRES).indexOf(catalog.item(seed).genre());
        String genre = DemoCatalog.GENRES[(liked + DemoCatalog.GENRES.length / 2) % DemoCatalog.GENRES.length];
        List<DemoCatalog.Item> discovered = catalog.items.stream().filter(i -> i.genre().equals(genre)).limit(4).toList();
        for (DemoCatalog.Item item : discovered) {
            String event = "{\"user\": \"" + user.id() + "\", \"item\": \"" + item.id() + "\", \"action\": \"watch\"}";
            JsonHttp.Response indexed = http.post("/film-events/_doc?pipeline=film-events&refresh=true", event);
            System.out.println("POST film-events/_doc?pipeline=film-events " + event + " -> HTTP " + indexed.status()
                + " (profile version " + http.get("/viewers/_doc/" + user.id()).at("/_version").asText() + ")");
        }
        System.out.println();
        String after = "After watching 4 " + genre + " films, GET films/_recommend " + forUser;
        showRecommendations(after, http.post("/films/_recommend", forUser));

        System.out.println("Try it yourself (curl; in Kibana Dev Tools drop the curl part):");
        String url = "http://127.0.0.1:" + PORT;
        System.out.println("  curl -s '" + url + "/films/_recommend?pretty' -H 'Content-Type: application/json' -d '" + forUser + "'");
        System.out.println("  curl -s '" + url + "/films/_recommend?model=films&user=u1&size=3&pretty'");
        System.out.println();
        System.out.println("The node keeps running on port " + PORT + "; stop it with: ./run stop");
        System.exit(0);
    }

    private static void showRecommendations(String heading, JsonHttp.Response response) {
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
                r.at("/_source/title").asText(),
                r.at("/_source/genre").asText(),
                r.path("_score").asDouble(),
                r.path("backfill").asBoolean() ? "(backfill)" : String.join("; ", reasons.subList(0, Math.min(2, reasons.size())))
            );
        }
        System.out.println();
    }

    private static String titles(DemoCatalog catalog, List<String> ids) {
        List<String> described = ids.stream().map(id -> "\"" + catalog.item(id).title() + "\" (" + catalog.item(id).genre() + ")").toList();
        return String.join(", ", described);
    }

    private static void print(String heading, String body) {
        System.out.println(heading);
        System.out.println(body);
    }
}
