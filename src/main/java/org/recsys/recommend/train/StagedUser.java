package org.recsys.recommend.train;

import org.recsys.recommend.ingest.History;
import org.recsys.recommend.math.Vectors;
import org.recsys.recommend.model.UserIds;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One profile of a staged run: its vector, bounded history (oldest first) and the other items it saw. */
record StagedUser(String id, float[] factors, History history, List<String> seen) {

    /**
     * Parses a staged profile; a history longer than {@code maxHistory} keeps its most recent entries and the older ones
     * join the seen set, as {@code _train} writes them.
     */
    static StagedUser parse(String runId, Map<String, Object> source, int dims, String historyField, int maxHistory) {
        Object id = source.get("id");
        String problem = id instanceof String s ? UserIds.problem(s) : "must be a string";
        if (problem != null) {
            throw new IllegalArgumentException("[staging] a user document of run [" + runId + "] has an [id] that " + problem + ", got ["
                + id + "]");
        }
        String where = "[staging] user [" + id + "] of run [" + runId + "]: ";
        float[] factors = factors(where, source.get("factors"), dims);
        History history;
        Object entries = source.get("history");
        if (entries instanceof List<?> list) {
            for (Object entry : list) {
                if (entry instanceof Map<?, ?> map && map.get("ts") != null && map.get("ts") instanceof String == false) {
                    throw new IllegalArgumentException(where + "[history] entry [" + map.get("item") + "] has a [ts] that is not a "
                        + "string, got [" + map.get("ts") + "]");
                }
            }
        }
        try {
            // as the processor accepts a history: weights > 0 and bounded (a weight of 0 is not interaction evidence)
            history = History.fromSource(historyField, entries);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
        List<String> seen = new ArrayList<>();
        Object stored = source.get("seen");
        if (stored instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof String == false) {
                    throw new IllegalArgumentException(where + "[seen] must hold item ids, got [" + item + "]");
                }
                seen.add((String) item);
            }
        } else if (stored != null) {
            throw new IllegalArgumentException(where + "[seen] must be an array of item ids, got [" + stored + "]");
        }
        History bounded = history.bounded(maxHistory);
        List<History.Entry> older = history.entries().subList(0, history.entries().size() - bounded.entries().size());
        older.reversed().forEach(entry -> seen.addFirst(entry.item()));
        return new StagedUser((String) id, factors, bounded, seen);
    }

    /** The profile fields an import writes: the built slot's vector, the history and the seen set (replacing both). */
    Map<String, Object> document(String factorsField, String historyField, String seenField) {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (History.Entry entry : history.entries()) {
            Map<String, Object> e = new LinkedHashMap<>(); // item first, as the processor writes entries
            e.put("item", entry.item());
            e.put("weight", entry.weight());
            if (entry.ts() != null) {
                e.put("ts", entry.ts());
            }
            entries.add(e);
        }
        return Map.of(factorsField, Vectors.asList(factors), historyField, entries, seenField, seen);
    }

    static float[] factors(String where, Object value, int dims) {
        List<?> list = value instanceof List<?> l ? l : null;
        if (list == null || list.size() != dims) {
            String got = list != null ? list.size() + " values" : "[" + value + "]";
            throw new IllegalArgumentException(where + "[factors] must be an array of " + dims + " numbers (the model's dims), got "
                + got);
        }
        float[] factors = new float[dims];
        for (int d = 0; d < dims; d++) {
            Object v = list.get(d);
            double x = v instanceof Number n ? n.doubleValue() : Double.NaN;
            if (Double.isFinite(x) == false || Math.abs(x) > Vectors.MAX_MAGNITUDE) {
                throw new IllegalArgumentException(where + "[factors] must hold finite numbers, got [" + v + "] at " + d);
            }
            factors[d] = (float) x;
        }
        return factors;
    }
}
