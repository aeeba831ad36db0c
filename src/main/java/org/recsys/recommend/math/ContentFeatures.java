package org.recsys.recommend.math;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Binary content features of items, the input of the content → factor map: {@code field:token} for every word of every
 * value of the item's content fields (lower-cased, split on anything but letters and digits). The vocabulary keeps the
 * features that at least {@code minItems} training items share (a word of one title teaches the map nothing), most
 * frequent first, at most {@code maxFeatures}; ties go to the alphabetically first, so a vocabulary is deterministic.
 */
public final class ContentFeatures {

    private final List<String> vocabulary;
    private final Map<String, Integer> index = new HashMap<>();

    public ContentFeatures(List<String> vocabulary) {
        this.vocabulary = List.copyOf(vocabulary);
        for (int i = 0; i < this.vocabulary.size(); i++) {
            index.put(this.vocabulary.get(i), i);
        }
    }

    /** The distinct features of one item's content ({@code field → values}), sorted. */
    public static List<String> tokens(Map<String, List<String>> content) {
        TreeSet<String> tokens = new TreeSet<>();
        content.forEach((field, values) -> {
            for (String value : values) {
                for (String word : value.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
                    if (word.isEmpty() == false) {
                        tokens.add(field + ":" + word);
                    }
                }
            }
        });
        return new ArrayList<>(tokens);
    }

    public static ContentFeatures fit(List<Map<String, List<String>>> items, int minItems, int maxFeatures) {
        Map<String, Integer> documentFrequency = new LinkedHashMap<>();
        for (Map<String, List<String>> item : items) {
            for (String token : tokens(item)) {
                documentFrequency.merge(token, 1, Integer::sum);
            }
        }
        List<String> kept = documentFrequency.entrySet()
            .stream()
            .filter(e -> e.getValue() >= minItems)
            .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
            .limit(maxFeatures)
            .map(Map.Entry::getKey)
            .toList();
        return new ContentFeatures(kept);
    }

    /** The item's known features, as sorted vocabulary indices (unknown words are ignored). */
    public int[] encode(Map<String, List<String>> content) {
        return tokens(content).stream().filter(index::containsKey).mapToInt(index::get).sorted().toArray();
    }

    public List<String> vocabulary() {
        return vocabulary;
    }

    public int size() {
        return vocabulary.size();
    }
}
