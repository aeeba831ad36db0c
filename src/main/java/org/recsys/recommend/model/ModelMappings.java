package org.recsys.recommend.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The mappings of the fields a model's plugin writes: what a new field gets, and which existing mappings can hold what is
 * written. A dynamically mapped {@code sparse_vector} becomes one object field per neighbor id (and soon hits the index's
 * field limit), a dynamically mapped vector a list of {@code float}s that no kNN search can use: these must be mapped first.
 */
public final class ModelMappings {

    /** The item vectors' HNSW index: int8 quantization, what Elasticsearch picks for small float vectors and the benchmarks ran. */
    public static final String ITEM_VECTOR_INDEX_TYPE = "int8_hnsw";

    private static final Set<String> NUMERIC_TYPES = Set.of("float", "double", "half_float", "scaled_float", "long", "integer",
        "short", "byte", "unsigned_long");
    private static final Set<String> STRING_TYPES = Set.of("keyword", "text", "wildcard", "match_only_text");

    /** A field the plugin writes: the model setting that names it, its name, and the mapping it gets when it is missing. */
    public record Field(String setting, String name, Map<String, Object> mapping) {}

    private ModelMappings() {}

    /** The items' factors, neighbors and popularity, in both slots ({@link ModelFields}). */
    public static List<Field> itemFields(RecommendModel model) {
        Map<String, Object> vector = vector(model.factors().dims(), true);
        // raw inner products: ALS factors are not unit length, and cosine would store them normalized
        vector.put("similarity", "max_inner_product");
        vector.put("index_options", Map.of("type", ITEM_VECTOR_INDEX_TYPE));
        List<Field> fields = new ArrayList<>();
        for (ModelFields slot : model.allSlots()) {
            fields.add(new Field("items.factors", slot.itemFactors(), vector));
            fields.add(new Field("items.neighbors", slot.neighbors(), Map.of("type", "sparse_vector")));
            fields.add(new Field("items.popularity", slot.popularity(), Map.of("type", "float")));
        }
        return fields;
    }

    /**
     * The users' vector in both slots (read from the source, never searched: not indexed), bounded history and seen set
     * (stored only).
     */
    public static List<Field> userFields(RecommendModel model) {
        Map<String, Object> vector = vector(model.factors().dims(), false);
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("type", "keyword");
        seen.put("index", false);
        seen.put("doc_values", false);
        return List.of(
            new Field("users.factors", model.allSlots().get(0).userFactors(), vector),
            new Field("users.factors", model.allSlots().get(1).userFactors(), vector),
            new Field("users.history", model.users().history(), Map.of("type", "object", "enabled", false)),
            new Field("users.seen", model.users().seen(), seen),
            new Field("users.event_ids", UsersConfig.EVENT_IDS, seen) // as seen: strings, stored only
        );
    }

    private static Map<String, Object> vector(int dims, boolean indexed) {
        Map<String, Object> vector = new LinkedHashMap<>();
        vector.put("type", "dense_vector");
        vector.put("dims", dims);
        vector.put("element_type", "float");
        vector.put("index", indexed);
        return vector;
    }

    /**
     * Why {@code existing} (a field's mapping as the get-mapping API shows it) cannot hold what the plugin writes to
     * {@code field}, or null when it can.
     */
    public static String conflict(Field field, Map<String, Object> existing) {
        Object type = existing.get("type");
        String expected = (String) field.mapping().get("type");
        return switch (expected) {
            case "dense_vector" -> field.setting().startsWith("users.") ? userVectorConflict(field, existing)
                : vectorConflict(field, existing);
            case "sparse_vector" -> "sparse_vector".equals(type) ? null : "it must be of type [sparse_vector]";
            case "float" -> NUMERIC_TYPES.contains(type) == false ? "it must be numeric"
                : Boolean.FALSE.equals(existing.get("doc_values")) ? "it must have doc values" : null;
            case "object" -> objectConflict(existing);
            case "keyword" -> STRING_TYPES.contains(type) ? null : "it must be of type [keyword]";
            default -> throw new IllegalStateException("no rule for [" + expected + "]");
        };
    }

    /** A history is written as objects of {item, weight, ts}: any object that accepts those keys can hold it. */
    private static String objectConflict(Map<String, Object> existing) {
        Object type = existing.get("type");
        if (type != null && Set.of("object", "nested", "flattened").contains(type) == false) {
            return "it must be an [object]";
        }
        boolean enabled = Boolean.FALSE.equals(existing.get("enabled")) == false;
        if (enabled && "strict".equals(String.valueOf(existing.get("dynamic"))) && existing.get("properties") == null) {
            return "a [dynamic: strict] object must map [item], [weight] and [ts], or be [enabled: false]";
        }
        return null;
    }

    /**
     * A user's vector is only ever read back from the source: floats mapped as {@code float} (what a dynamic mapping makes
     * of a short array) hold it too; an indexed {@code dense_vector} must keep its raw values (not {@code cosine}, which
     * stores them normalized, nor {@code dot_product}, which refuses vectors that are not unit length).
     */
    private static String userVectorConflict(Field field, Map<String, Object> existing) {
        if ("float".equals(existing.get("type")) || "double".equals(existing.get("type"))) {
            return null;
        }
        if ("dense_vector".equals(existing.get("type")) && Boolean.FALSE.equals(existing.get("index")) == false) {
            Object similarity = existing.get("similarity");
            if ("l2_norm".equals(similarity) && dimsMatch(field, existing)) {
                return null;
            }
        }
        return vectorConflict(field, existing);
    }

    private static boolean dimsMatch(Field field, Map<String, Object> existing) {
        return existing.get("dims") == null || existing.get("dims").equals(field.mapping().get("dims"));
    }

    private static String vectorConflict(Field field, Map<String, Object> existing) {
        if ("dense_vector".equals(existing.get("type")) == false) {
            return "it must be of type [dense_vector]";
        }
        Object dims = existing.get("dims");
        if (dims != null && dims.equals(field.mapping().get("dims")) == false) {
            return "it has [dims] " + dims + ", the model's [factors.dims] is " + field.mapping().get("dims");
        }
        Object elementType = existing.get("element_type");
        if (elementType != null && "float".equals(elementType) == false) {
            return "it must have [element_type] float, not [" + elementType + "]";
        }
        boolean indexed = Boolean.FALSE.equals(existing.get("index")) == false;
        Object similarity = existing.get("similarity");
        // cosine (the default) keeps vectors normalized, dot_product refuses vectors that are not unit length
        if (indexed && "max_inner_product".equals(similarity) == false) {
            return "an indexed vector must have [similarity] max_inner_product, not [" + (similarity == null ? "cosine" : similarity)
                + "]";
        }
        return null;
    }

    /** The mapping of {@code path} (dots descend into objects) in an index's mapping source, or null when it is not mapped. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> find(Map<String, Object> mappingSource, String path) {
        Map<String, Object> node = mappingSource;
        for (String part : path.split("\\.")) {
            Object properties = node.get("properties");
            if (properties instanceof Map<?, ?> map && map.get(part) instanceof Map<?, ?> child) {
                node = (Map<String, Object>) child;
            } else {
                return null;
            }
        }
        return node;
    }

    /** The {@code properties} tree that maps {@code fields} (a dotted name nests in objects), for a create-index or put-mapping. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> properties(List<Field> fields) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (Field field : fields) {
            String[] parts = field.name().split("\\.");
            Map<String, Object> node = root;
            for (int i = 0; i < parts.length - 1; i++) {
                Map<String, Object> properties = (Map<String, Object>) node.computeIfAbsent("properties", k -> new LinkedHashMap<>());
                node = (Map<String, Object>) properties.computeIfAbsent(parts[i], k -> new LinkedHashMap<>());
            }
            Map<String, Object> properties = (Map<String, Object>) node.computeIfAbsent("properties", k -> new LinkedHashMap<>());
            properties.put(parts[parts.length - 1], field.mapping());
        }
        return root;
    }

    /** The fields of {@code fields} that {@code mappingSource} lacks; conflicts go to {@code conflicts} as messages. */
    public static List<Field> missing(String index, Map<String, Object> mappingSource, List<Field> fields, List<String> conflicts) {
        List<Field> missing = new ArrayList<>();
        for (Field field : fields) {
            Map<String, Object> existing = find(mappingSource, field.name());
            if (existing == null) {
                missing.add(field);
                continue;
            }
            String why = conflict(field, existing);
            if (why != null) {
                conflicts.add("[" + field.setting() + "] field [" + field.name() + "] of index [" + index + "] is mapped as " + existing
                    + ": " + why + "; the model needs " + field.mapping());
            }
        }
        return missing;
    }
}
