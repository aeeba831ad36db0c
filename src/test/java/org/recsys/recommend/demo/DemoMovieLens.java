package org.recsys.recommend.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Reads a MovieLens 100k folder the user downloaded ({@code u.item}, {@code u.genre}, {@code u.data}): ratings of 4 and
 * more are views, and 20 % of each user's views (seeded) are held out for evaluation, as in protocol P1.
 */
final class DemoMovieLens {

    private DemoMovieLens() {}

    static DemoCatalog read(Path dir) throws IOException {
        for (String file : List.of("u.item", "u.genre", "u.data")) {
            if (Files.isRegularFile(dir.resolve(file)) == false) {
                throw new IllegalArgumentException("[--movielens] " + dir + " has no " + file + ": give the folder of MovieLens 100k");
            }
        }
        List<String> genres = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("u.genre"), StandardCharsets.ISO_8859_1)) {
            if (line.isBlank() == false) {
                genres.add(line.split("\\|")[0]);
            }
        }
        List<DemoCatalog.Film> films = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("u.item"), StandardCharsets.ISO_8859_1)) {
            String[] p = line.split("\\|", -1);
            String genre = "unknown";
            for (int g = 0; g < genres.size() && 5 + g < p.length; g++) {
                if (p[5 + g].equals("1")) {
                    genre = genres.get(g);
                    break;
                }
            }
            films.add(new DemoCatalog.Film(p[0], p[1], genre));
        }
        Map<String, List<String>> byUser = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("u.data"), StandardCharsets.ISO_8859_1)) {
            String[] p = line.trim().split("\\s+");
            if (p.length >= 3 && Integer.parseInt(p[2]) >= 4) {
                byUser.computeIfAbsent(p[0], u -> new ArrayList<>()).add(p[1]);
            }
        }
        Random random = new Random(42);
        List<DemoCatalog.View> views = new ArrayList<>();
        List<DemoCatalog.View> heldOut = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byUser.entrySet()) {
            List<String> items = new ArrayList<>(e.getValue());
            Collections.shuffle(items, random);
            int test = Math.round(items.size() * 0.2f);
            for (int n = 0; n < items.size(); n++) {
                (n < test ? heldOut : views).add(new DemoCatalog.View(e.getKey(), items.get(n)));
            }
        }
        return new DemoCatalog(films, views, heldOut);
    }
}
