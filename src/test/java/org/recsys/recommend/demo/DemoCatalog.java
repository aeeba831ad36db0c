package org.recsys.recommend.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A small, readable film catalogue with a planted taste structure: each genre owns a direction in factor space, items are
 * noisy copies of their genre's direction, neighbors are the most similar items of the same genre, and each user loves
 * one or two genres. Deterministic for a seed.
 */
final class DemoCatalog {

    static final int DIMS = 8;
    static final int NEIGHBORS = 10;
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

    record Item(
        String id,
        String title,
        String genre,
        float[] factors,
        List<String> neighborIds,
        List<Float> neighborSims,
        float popularity
    ) {}

    record User(String id, float[] factors, List<String> history) {}

    final List<Item> items = new ArrayList<>();
    final List<User> users = new ArrayList<>();

    DemoCatalog(int itemCount, int userCount, long seed) {
        Random random = new Random(seed);
        float[][] genreAxes = new float[GENRES.length][DIMS];
        for (int g = 0; g < GENRES.length; g++) {
            genreAxes[g][g % DIMS] = 1f;
        }
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < itemCount; i++) {
            int g = i % GENRES.length;
            float[] v = new float[DIMS];
            for (int d = 0; d < DIMS; d++) {
                v[d] = genreAxes[g][d] * (0.6f + 0.4f * random.nextFloat()) + 0.15f * (float) random.nextGaussian();
            }
            vectors.add(v);
            String[] words = WORDS[g];
            String title = String.format(
                Locale.ROOT,
                "%s %s %d",
                capitalize(words[random.nextInt(words.length)]),
                words[random.nextInt(words.length)],
                1 + random.nextInt(9)
            );
            float popularity = (float) Math.floor(1000 * Math.pow(random.nextDouble(), 3));
            items.add(new Item("m" + i, title, GENRES[g], v, new ArrayList<>(), new ArrayList<>(), popularity));
        }
        for (Item item : items) {
            items.stream()
                .filter(other -> other != item && other.genre().equals(item.genre()))
                .sorted((a, b) -> Double.compare(cosine(b.factors(), item.factors()), cosine(a.factors(), item.factors())))
                .limit(NEIGHBORS)
                .forEach(other -> {
                    item.neighborIds().add(other.id());
                    item.neighborSims().add((float) Math.max(0.01, cosine(other.factors(), item.factors())));
                });
        }
        for (int u = 0; u < userCount; u++) {
            int favourite = random.nextInt(GENRES.length);
            List<String> history = new ArrayList<>();
            float[] taste = new float[DIMS];
            for (int h = 0; h < 6; h++) {
                Item liked = items.get(favourite + GENRES.length * random.nextInt(itemCount / GENRES.length));
                if (history.contains(liked.id()) == false) {
                    history.add(liked.id());
                    for (int d = 0; d < DIMS; d++) {
                        taste[d] += liked.factors()[d] / 6f;
                    }
                }
            }
            users.add(new User("u" + u, taste, history));
        }
    }

    Item item(String id) {
        return items.get(Integer.parseInt(id.substring(1)));
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static String capitalize(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
