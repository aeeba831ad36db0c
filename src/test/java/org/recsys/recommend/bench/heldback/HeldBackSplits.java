package org.recsys.recommend.bench.heldback;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes P1-style held-back splits of other public data sets (BASELINES.md, protocol P1): positives are ratings >= 4 for explicit
 * sets and every interaction for implicit ones; each user with >= 2 positives has round(20 %) of them (at least 1, never all)
 * held out at random ({@code java.util.Random(42)}, one generator walked over users in id order, each user's items sorted by id
 * before the shuffle); users with one positive keep it in train. Output per set: {@code <out>/<name>/train.tsv}, {@code test.tsv}
 * ({@code user\titem\t1\tts}, ts 0 when the set has none) and {@code items.tsv} ({@code item\ttitle}) when titles exist.
 * The data files stay in the shared folder: only the splits are written, outside the repository.
 *
 * <pre>
 * java -cp ... org.recsys.recommend.bench.heldback.HeldBackSplits [datasets folder] [output folder]
 * </pre>
 */
public final class HeldBackSplits {

    private static final Charset LATIN1 = StandardCharsets.ISO_8859_1;
    private static final Charset UTF8 = StandardCharsets.UTF_8;

    private HeldBackSplits() {}

    /** user → (item → timestamp), both sorted by id. */
    private static final class Positives extends TreeMap<Long, TreeMap<Long, Long>> {
        void add(long user, long item, long ts) {
            computeIfAbsent(user, u -> new TreeMap<>()).putIfAbsent(item, ts); // duplicates (steam purchases) keep the first
        }
    }

    public static void main(String[] args) throws IOException {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/datasets");
        Path out = Path.of(args.length > 1 ? args[1] : "/tmp/heldback");

        Path ml100k = data.resolve("ml-100k");
        write(out.resolve("ml-100k-java42"), read(ml100k.resolve("u.data"), UTF8, false, "\t", 0, 1, 2, 4, 3),
            titles(ml100k.resolve("u.item"), LATIN1, false, "\\|", 0, 1));

        Path ml1m = data.resolve("ml-1m");
        write(out.resolve("ml-1m"), read(ml1m.resolve("ratings_dense.tsv"), UTF8, false, "\t", 0, 1, 2, 4, -1), ml1mTitles(ml1m));

        Path small = data.resolve("ml-latest-small");
        write(out.resolve("ml-latest-small"), read(small.resolve("ratings.csv"), UTF8, true, ",", 0, 1, 2, 4, 3), csvTitles(small));

        Path lastfm = data.resolve("hetrec2011-lastfm-2k");
        write(out.resolve("hetrec2011-lastfm-2k"), read(lastfm.resolve("user_artists.dat"), UTF8, true, "\t", 0, 1, -1, 0, -1),
            titles(lastfm.resolve("artists.dat"), UTF8, true, "\t", 0, 1));

        Path steam = data.resolve("steam-caserec");
        write(out.resolve("steam-caserec"), read(steam.resolve("game_purchase.dat"), UTF8, true, "\t", 0, 1, -1, 0, -1),
            titles(steam.resolve("item_info.dat"), UTF8, true, "\t", 0, 1));

        Path books = data.resolve("bookcrossing-caserec");
        write(out.resolve("bookcrossing-caserec"), read(books.resolve("book_history.dat"), UTF8, true, "\t", 0, 1, -1, 0, -1),
            titles(books.resolve("items_info.dat"), UTF8, true, "\t", 0, 2));
    }

    /** Reads interactions; ratingColumn -1 means every row is a positive, tsColumn -1 means no timestamps (0 is written). */
    static Positives read(Path file, Charset charset, boolean header, String separator, int userColumn, int itemColumn,
        int ratingColumn, double minRating, int tsColumn) throws IOException {
        Positives positives = new Positives();
        List<String> lines = Files.readAllLines(file, charset);
        for (String line : lines.subList(header ? 1 : 0, lines.size())) {
            String[] f = line.strip().split(separator);
            if (f.length < 2) {
                continue;
            }
            if (ratingColumn >= 0 && Double.parseDouble(f[ratingColumn]) < minRating) {
                continue;
            }
            positives.add(Long.parseLong(f[userColumn]), Long.parseLong(f[itemColumn]), tsColumn >= 0 ? Long.parseLong(f[tsColumn]) : 0);
        }
        return positives;
    }

    static Map<Long, String> titles(Path file, Charset charset, boolean header, String separator, int idColumn, int titleColumn)
        throws IOException {
        Map<Long, String> titles = new TreeMap<>();
        List<String> lines = Files.readAllLines(file, charset);
        for (String line : lines.subList(header ? 1 : 0, lines.size())) {
            String[] f = line.split(separator, -1);
            if (f.length > titleColumn && f[titleColumn].isBlank() == false) {
                titles.put(Long.parseLong(f[idColumn].strip()), f[titleColumn].strip());
            }
        }
        return titles;
    }

    /** ml-1m ratings use a dense item_idx: titles go through item_index.tsv (92 ambiguous items have no movie_id and no title). */
    static Map<Long, String> ml1mTitles(Path folder) throws IOException {
        Map<Long, String> movies = titles(folder.resolve("movies.dat"), LATIN1, false, "::", 0, 1);
        Map<Long, String> titles = new TreeMap<>();
        List<String> lines = Files.readAllLines(folder.resolve("item_index.tsv"), UTF8);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            if (f[1].isBlank() == false && movies.containsKey(Long.parseLong(f[1]))) {
                titles.put(Long.parseLong(f[0]), movies.get(Long.parseLong(f[1])));
            }
        }
        return titles;
    }

    /** movies.csv: {@code movieId,title,genres}, titles with commas are quoted ("" escapes a quote); genres never hold commas. */
    static Map<Long, String> csvTitles(Path folder) throws IOException {
        Map<Long, String> titles = new TreeMap<>();
        List<String> lines = Files.readAllLines(folder.resolve("movies.csv"), UTF8);
        for (String line : lines.subList(1, lines.size())) {
            String title = line.substring(line.indexOf(',') + 1, line.lastIndexOf(','));
            if (title.length() >= 2 && title.startsWith("\"") && title.endsWith("\"")) {
                title = title.substring(1, title.length() - 1).replace("\"\"", "\"");
            }
            titles.put(Long.parseLong(line.substring(0, line.indexOf(','))), title);
        }
        return titles;
    }

    static void write(Path folder, Positives positives, Map<Long, String> titles) throws IOException {
        Files.createDirectories(folder);
        Random random = new Random(42);
        Set<Long> items = new HashSet<>();
        int train = 0;
        int test = 0;
        int testUsers = 0;
        try (
            BufferedWriter trainOut = Files.newBufferedWriter(folder.resolve("train.tsv"), UTF8);
            BufferedWriter testOut = Files.newBufferedWriter(folder.resolve("test.tsv"), UTF8)
        ) {
            for (Map.Entry<Long, TreeMap<Long, Long>> user : positives.entrySet()) {
                List<Long> list = new ArrayList<>(user.getValue().keySet());
                items.addAll(list);
                int held = 0;
                if (list.size() >= 2) {
                    held = (int) Math.max(1, Math.min(list.size() - 1, Math.round(0.2 * list.size())));
                    Collections.shuffle(list, random);
                    testUsers++;
                }
                List<Long> heldOut = new ArrayList<>(list.subList(0, held));
                List<Long> kept = new ArrayList<>(list.subList(held, list.size()));
                Collections.sort(heldOut);
                Collections.sort(kept);
                for (long item : kept) {
                    trainOut.write(user.getKey() + "\t" + item + "\t1\t" + user.getValue().get(item) + "\n");
                }
                for (long item : heldOut) {
                    testOut.write(user.getKey() + "\t" + item + "\t1\t" + user.getValue().get(item) + "\n");
                }
                train += kept.size();
                test += heldOut.size();
            }
        }
        int titled = 0;
        if (titles.isEmpty() == false) {
            try (BufferedWriter out = Files.newBufferedWriter(folder.resolve("items.tsv"), UTF8)) {
                for (Map.Entry<Long, String> title : titles.entrySet()) {
                    out.write(title.getKey() + "\t" + title.getValue().replace('\t', ' ') + "\n");
                    titled += items.contains(title.getKey()) ? 1 : 0;
                }
            }
        }
        System.out.printf(
            Locale.ROOT,
            "%-22s users %6d (test users %6d)  items %6d  train %8d  test %7d  titles %6d (%d of the items)%n",
            folder.getFileName(),
            positives.size(),
            testUsers,
            items.size(),
            train,
            test,
            titles.size(),
            titled
        );
    }
}
