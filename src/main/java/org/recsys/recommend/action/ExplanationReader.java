package org.recsys.recommend.action;

import org.apache.lucene.search.Explanation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the recommend query's explanation of a hit (see {@code RecommendQuery}) into the endpoint's per-signal breakdown and
 * human-readable reasons, so both always agree with {@code _explain}.
 */
final class ExplanationReader {

    /** One signal's part of a score. */
    record Signal(String name, double raw, double normalized, double weight, double contribution) {}

    /** A history item behind the neighbor signal. */
    record Because(String item, double weight, double similarity) {}

    private static final Pattern SIGNAL = Pattern.compile("^(collaborative|neighbors|content|popularity): .*");
    private static final Pattern HISTORY_ITEM = Pattern.compile("^history item \\[(.*)\\]: weight (\\S+) × similarity (\\S+)$");

    private ExplanationReader() {}

    /** The recommend query's own part of an explanation (it may sit inside a bool that filtered the page's ids). */
    static Explanation recommendPart(Explanation explanation) {
        if (explanation == null || explanation.getDescription().startsWith("recommend:")) {
            return explanation;
        }
        for (Explanation detail : explanation.getDetails()) {
            Explanation found = recommendPart(detail);
            if (found != null && found.getDescription().startsWith("recommend:")) {
                return found;
            }
        }
        return explanation;
    }

    static List<Signal> signals(Explanation explanation) {
        List<Signal> signals = new ArrayList<>();
        if (explanation == null) {
            return signals;
        }
        for (Explanation detail : explanation.getDetails()) {
            Matcher m = SIGNAL.matcher(detail.getDescription());
            if (m.matches() && detail.getDetails().length >= 3) {
                Explanation[] parts = detail.getDetails();
                signals.add(
                    new Signal(
                        m.group(1),
                        parts[0].getValue().doubleValue(),
                        parts[1].getValue().doubleValue(),
                        parts[2].getValue().doubleValue(),
                        detail.getValue().doubleValue()
                    )
                );
            }
        }
        return signals;
    }

    static List<Because> neighborItems(Explanation explanation) {
        List<Because> items = new ArrayList<>();
        if (explanation == null) {
            return items;
        }
        for (Explanation detail : explanation.getDetails()) {
            if (detail.getDescription().startsWith("neighbors:") && detail.getDetails().length > 0) {
                for (Explanation term : detail.getDetails()[0].getDetails()) {
                    Matcher m = HISTORY_ITEM.matcher(term.getDescription());
                    if (m.matches()) {
                        items.add(new Because(m.group(1), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))));
                    }
                }
            }
        }
        items.sort(Comparator.comparingDouble((Because b) -> -b.weight() * b.similarity()).thenComparing(Because::item));
        return items;
    }

    private static String because(Because b) {
        return String.format(Locale.ROOT, "because you liked %s (similarity %.2f)", b.item(), b.similarity());
    }

    /** Reasons, strongest signal first; at most two history items are named. */
    static List<String> reasons(Explanation explanation) {
        List<Signal> signals = new ArrayList<>(signals(explanation));
        signals.sort(Comparator.comparingDouble((Signal s) -> -s.contribution()));
        List<String> reasons = new ArrayList<>();
        for (Signal signal : signals) {
            if (signal.contribution() <= 0) {
                continue;
            }
            switch (signal.name()) {
                case "neighbors" -> neighborItems(explanation).stream()
                    .limit(2)
                    .forEach(b -> reasons.add(because(b)));
                case "collaborative" -> reasons.add(
                    String.format(Locale.ROOT, "matches your taste profile (collaborative score %.2f)", signal.raw())
                );
                case "content" -> reasons.add(String.format(Locale.ROOT, "similar content (text score %.2f)", signal.raw()));
                case "popularity" -> reasons.add(String.format(Locale.ROOT, "popular (%s %.0f)", "popularity", signal.raw()));
                default -> {
                }
            }
        }
        return reasons;
    }
}
