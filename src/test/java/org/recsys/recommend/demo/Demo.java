package org.recsys.recommend.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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

        DemoCatalog.User user = catalog.users.get(0);
        System.out.println("Viewer " + user.id() + " watched: " + titles(catalog, user.history()));
        ObjectNode forUser = recommendQuery();
        ((ObjectNode) forUser.at("/query/recommend")).putObject("user").put("index", "viewers").put("id", user.id());
        String heading = "Recommended for " + user.id() + " (recommend query, user looked up from [viewers]):";
        showHits(heading, http.post("/films/_search", forUser));

        String seed = user.history().get(0);
        ObjectNode moreLikeThis = recommendQuery();
        ((ObjectNode) moreLikeThis.at("/query/recommend")).putArray("items").add(seed);
        showHits("People who liked \"" + catalog.item(seed).title() + "\" also liked:", http.post("/films/_search", moreLikeThis));

        System.out.println("Try it yourself (curl, or Kibana Dev Tools without the curl part):");
        System.out.println("  curl -s 'http://127.0.0.1:" + PORT + "/films/_search?pretty' -H 'Content-Type: application/json' -d '"
            + forUser.toString() + "'");
        System.out.println();
        System.out.println("The node keeps running on port " + PORT + "; stop it with: ./run stop");
        System.exit(0);
    }

    private static ObjectNode recommendQuery() {
        ObjectNode body = JsonHttp.MAPPER.createObjectNode();
        body.put("size", 5);
        body.putArray("_source").add("title").add("genre");
        ObjectNode recommend = body.putObject("query").putObject("recommend");
        ObjectNode signals = recommend.putObject("signals");
        signals.putObject("collaborative").put("field", "factors").put("weight", 1.0);
        signals.putObject("neighbors").put("field", "neighbors").put("weight", 0.5);
        ArrayNode contentFields = signals.putObject("content").put("weight", 0.3).putArray("fields");
        contentFields.add("title");
        signals.putObject("popularity").put("field", "popularity").put("weight", 0.05);
        return body;
    }

    private static void showHits(String heading, JsonHttp.Response response) {
        System.out.println(heading);
        if (response.status() != 200) {
            System.out.println("  request failed: HTTP " + response.status() + " " + response.body());
            return;
        }
        for (JsonNode hit : response.at("/hits/hits")) {
            System.out.printf(
                Locale.ROOT,
                "  %-6s %-28s %-12s score %.3f%n",
                hit.path("_id").asText(),
                hit.at("/_source/title").asText(),
                hit.at("/_source/genre").asText(),
                hit.path("_score").asDouble()
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
