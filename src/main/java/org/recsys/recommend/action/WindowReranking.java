package org.recsys.recommend.action;

import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.search.SearchHit;
import org.recsys.recommend.math.Reranking;
import org.recsys.recommend.query.RecommendInputs;

import java.util.ArrayList;
import java.util.List;

/**
 * Re-ranks a window of hits on the coordinating node, as {@code _recommend} asks: seeded dithering, then per-value caps or
 * MMR over a vector field ({@link Reranking} does the math), keeping at most {@code from + size} hits.
 */
final class WindowReranking {

    private WindowReranking() {}

    /** The window's hits in their final order (dithered, then diversified), at most {@code from + size} of them. */
    static List<SearchHit> rerank(RecommendSpec spec, PageCaps caps, SearchHit[] hits) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < hits.length; i++) {
            order.add(i);
        }
        if (spec.dither() != null) {
            long seed = spec.dither().seed() * 31 + userKey(spec).hashCode();
            order = Reranking.dither(hits.length, spec.dither().epsilon(), seed);
        }
        int page = spec.from() + spec.size();
        if (spec.diversity() != null) {
            List<SearchHit> dithered = order.stream().map(i -> hits[i]).toList();
            List<Integer> kept = spec.diversity().mmrLambda() == null
                ? Reranking.capPerValue(dithered.stream().map(caps::valuesOf).toList(), spec.diversity().maxPerValue(), page)
                : Reranking.mmr(scores(dithered), vectors(spec, dithered), spec.diversity().mmrLambda(), page);
            List<Integer> remapped = new ArrayList<>();
            for (int k : kept) {
                remapped.add(order.get(k));
            }
            order = remapped;
        }
        List<SearchHit> out = new ArrayList<>();
        for (int i : order.subList(0, Math.min(page, order.size()))) {
            if (caps != null) {
                caps.count(hits[i]);
            }
            out.add(hits[i]);
        }
        return out;
    }

    private static String userKey(RecommendSpec spec) {
        RecommendInputs inputs = spec.query().inputs();
        return inputs.user() != null ? inputs.user().id() : String.join(",", inputs.items());
    }

    private static double[] scores(List<SearchHit> hits) {
        return hits.stream().mapToDouble(SearchHit::getScore).toArray();
    }

    private static float[][] vectors(RecommendSpec spec, List<SearchHit> hits) {
        float[][] vectors = new float[hits.size()][];
        for (int i = 0; i < vectors.length; i++) {
            DocumentField field = hits.get(i).field(spec.diversity().field());
            if (field != null && field.getValues().isEmpty() == false) {
                List<Object> values = field.getValues();
                // the fields API returns a dense_vector either flattened or as one nested list
                List<?> flat = values.size() == 1 && values.get(0) instanceof List<?> inner ? inner : values;
                float[] v = new float[flat.size()];
                for (int d = 0; d < v.length; d++) {
                    v[d] = flat.get(d) instanceof Number n ? n.floatValue() : 0f;
                }
                vectors[i] = v;
            }
        }
        return vectors;
    }
}
