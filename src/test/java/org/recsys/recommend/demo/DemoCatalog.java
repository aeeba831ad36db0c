package org.recsys.recommend.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A small, readable film catalogue and viewing log with a planted taste structure: each viewer loves one genre and
 * watches mostly (85 %) films of it. Films carry only content (title, genre); factors, neighbors and popularity come from
 * training. Deterministic for a seed; one view per viewer is held out for evaluation.
 */
final class DemoCatalog {

    static final String[] GENRES = { "scifi", "romance", "thriller", "comedy", "animation", "documentary", "horror", "western" };
    private static final String[][] WORDS = {
        { "galaxy", "robot", "starship", "android", "orbit", "nebula" },
        { "love", "wedding", "paris", "letters", "summer", "heart" },
        { "heist", "conspiracy", "witness", "chase", "agent", "alibi" },
        { "roommates", "vacation", "mixup", "prank", "neighbors", "party" },
        { "dragon", "forest", "toy", "kingdom", "penguin", "quest" },
        { "ocean", "climate", "history", "music", "mountain", "city" },
        { "haunted", "curse", "night", "cabin", "shadow", "ritual" },
        { "frontier", "outlaw", "sheriff", "canyon", "gold", "saloon" } };

    record Film(String id, String title, String genre) {}

    record View(String user, String film) {}

    final List<Film> films;
    final List<View> views;
    final List<View> heldOut;

    /** A catalogue read from elsewhere (e.g. a MovieLens folder). */
    DemoCatalog(List<Film> films, List<View> views, List<View> heldOut) {
        this.films = films;
        this.views = views;
        this.heldOut = heldOut;
    }

    DemoCatalog(int filmCount, int viewerCount, int viewsPerViewer, long seed) {
        this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Random random = new Random(seed);
        for (int i = 0; i < filmCount; i++) {
            int g = i % GENRES.length;
            String[] words = WORDS[g];
            String first = words[random.nextInt(words.length)];
            String title = String.format(Locale.ROOT, "%s %s %d", Character.toUpperCase(first.charAt(0)) + first.substring(1),
                words[random.nextInt(words.length)], 1 + random.nextInt(9));
            films.add(new Film("m" + i, title, GENRES[g]));
        }
        for (int u = 0; u < viewerCount; u++) {
            int favourite = random.nextInt(GENRES.length);
            List<String> seen = new ArrayList<>();
            while (seen.size() < viewsPerViewer) {
                int genre = random.nextDouble() < 0.85 ? favourite : random.nextInt(GENRES.length);
                // within a genre, low film numbers are the popular ones
                int rank = (int) Math.floor(Math.pow(random.nextDouble(), 2) * (filmCount / GENRES.length));
                String film = "m" + (genre + GENRES.length * rank);
                if (seen.contains(film) == false) {
                    seen.add(film);
                }
            }
            for (int n = 0; n < seen.size(); n++) {
                (n == seen.size() - 1 ? heldOut : views).add(new View("u" + u, seen.get(n)));
            }
        }
    }

    Film film(String id) {
        return films.stream().filter(f -> f.id().equals(id)).findFirst().orElseThrow();
    }

    List<String> historyOf(String user) {
        return views.stream().filter(v -> v.user().equals(user)).map(View::film).toList();
    }
}
