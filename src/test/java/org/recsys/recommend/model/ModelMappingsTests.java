package org.recsys.recommend.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelMappingsTests {

    private static final RecommendModel MODEL = new RecommendModel(
        "m",
        new ItemsConfig("films", "emb.factors", null, null, List.of("title")),
        new UsersConfig("viewers", null, null, null, 100),
        new FactorsConfig(64, 0.1, 10),
        null,
        null
    );

    private static ModelMappings.Field field(List<ModelMappings.Field> fields, String setting) {
        return fields.stream().filter(f -> f.setting().equals(setting)).findFirst().orElseThrow();
    }

    @Test
    void newFieldsAreMappedForWhatThePluginWrites() {
        Map<String, Object> properties = ModelMappings.properties(ModelMappings.itemFields(MODEL));
        Map<String, Object> factors = ModelMappings.find(properties, "emb.factors"); // a dotted name nests in an object
        assertEquals("dense_vector", factors.get("type"));
        assertEquals(64, factors.get("dims"));
        assertEquals("max_inner_product", factors.get("similarity"));
        assertEquals(Map.of("type", "sparse_vector"), ModelMappings.find(properties, "neighbors"));
        assertEquals("float", ModelMappings.find(properties, "popularity").get("type"));
        assertEquals(factors, ModelMappings.find(properties, "emb.factors_alt"), "the second slot is mapped alike");
        assertEquals(Map.of("type", "sparse_vector"), ModelMappings.find(properties, "neighbors_alt"));
        Map<String, Object> users = ModelMappings.properties(ModelMappings.userFields(MODEL));
        assertEquals(false, ModelMappings.find(users, "factors").get("index"));
        assertEquals(false, ModelMappings.find(users, "history").get("enabled"));
        assertEquals("keyword", ModelMappings.find(users, "seen").get("type"));
    }

    @Test
    void everyFieldTheModelWouldWriteAcceptsItsOwnMapping() {
        for (ModelMappings.Field f : ModelMappings.itemFields(MODEL)) {
            assertNull(ModelMappings.conflict(f, f.mapping()), f.setting());
        }
        for (ModelMappings.Field f : ModelMappings.userFields(MODEL)) {
            assertNull(ModelMappings.conflict(f, f.mapping()), f.setting());
        }
    }

    @Test
    void mappingsThatCannotHoldWhatIsWrittenAreConflicts() {
        List<ModelMappings.Field> items = ModelMappings.itemFields(MODEL);
        ModelMappings.Field factors = field(items, "items.factors");
        assertEquals("it must be of type [dense_vector]", ModelMappings.conflict(factors, Map.of("type", "float")));
        assertEquals("it has [dims] 16, the model's [factors.dims] is 64",
            ModelMappings.conflict(factors, Map.of("type", "dense_vector", "dims", 16, "similarity", "max_inner_product")));
        assertEquals("an indexed vector must have [similarity] max_inner_product, not [cosine]",
            ModelMappings.conflict(factors, Map.of("type", "dense_vector", "dims", 64)));
        assertEquals("it must have [element_type] float, not [byte]", ModelMappings.conflict(factors,
            Map.of("type", "dense_vector", "dims", 64, "element_type", "byte", "similarity", "max_inner_product")));
        assertNull(ModelMappings.conflict(factors, Map.of("type", "dense_vector", "dims", 64, "index", false)));
        assertEquals("it must be of type [sparse_vector]", ModelMappings.conflict(field(items, "items.neighbors"),
            Map.of("type", "object")));
        assertEquals("it must be numeric", ModelMappings.conflict(field(items, "items.popularity"), Map.of("type", "keyword")));
        assertEquals("it must have doc values", ModelMappings.conflict(field(items, "items.popularity"),
            Map.of("type", "long", "doc_values", false)));
        List<ModelMappings.Field> users = ModelMappings.userFields(MODEL);
        assertEquals("it must be an [object]", ModelMappings.conflict(field(users, "users.history"), Map.of("type", "keyword")));
        assertNull(ModelMappings.conflict(field(users, "users.history"), Map.of("properties", Map.of())), "a dynamic object");
        assertEquals("it must be of type [keyword]", ModelMappings.conflict(field(users, "users.seen"), Map.of("type", "long")));
    }

    @Test
    void userVectorsAreReadFromTheSourceSoAnyMappingThatKeepsTheirRawValuesHoldsThem() {
        ModelMappings.Field users = field(ModelMappings.userFields(MODEL), "users.factors");
        assertNull(ModelMappings.conflict(users, Map.of("type", "float")), "what a dynamic mapping makes of 64 floats");
        assertNull(ModelMappings.conflict(users, Map.of("type", "dense_vector", "dims", 64, "similarity", "l2_norm")));
        assertNull(ModelMappings.conflict(users, Map.of("type", "dense_vector", "dims", 64, "similarity", "max_inner_product")));
        assertEquals("an indexed vector must have [similarity] max_inner_product, not [cosine]",
            ModelMappings.conflict(users, Map.of("type", "dense_vector", "dims", 64)), "cosine keeps them normalized");
        ModelMappings.Field history = field(ModelMappings.userFields(MODEL), "users.history");
        assertNull(ModelMappings.conflict(history, Map.of("type", "nested")));
        assertNull(ModelMappings.conflict(history, Map.of("type", "object", "dynamic", "strict", "enabled", false)));
        assertEquals("a [dynamic: strict] object must map [item], [weight] and [ts], or be [enabled: false]",
            ModelMappings.conflict(history, Map.of("type", "object", "dynamic", "strict")));
        assertEquals("it must be of type [keyword]", ModelMappings.conflict(field(ModelMappings.userFields(MODEL), "users.seen"),
            Map.of("type", "constant_keyword")), "one value only: a second seen item would be refused");
    }

    @Test
    void missingFieldsAreListedAndConflictsNameSettingFieldIndexAndNeededMapping() {
        Map<String, Object> existing = Map.of("properties", Map.of(
            "title", Map.of("type", "text"),
            "neighbors", Map.of("properties", Map.of("m1", Map.of("type", "float"))) // what a dynamic mapping made of it
        ));
        List<String> conflicts = new ArrayList<>();
        List<ModelMappings.Field> missing = ModelMappings.missing("films", existing, ModelMappings.itemFields(MODEL), conflicts);
        // both slots: what is served, and the one a training writes beside it
        assertEquals(List.of("emb.factors", "popularity", "emb.factors_alt", "neighbors_alt", "popularity_alt"),
            missing.stream().map(ModelMappings.Field::name).toList());
        assertEquals(1, conflicts.size());
        assertTrue(conflicts.get(0).startsWith("[items.neighbors] field [neighbors] of index [films] is mapped as "), conflicts.get(0));
        assertTrue(conflicts.get(0).endsWith(": it must be of type [sparse_vector]; the model needs {type=sparse_vector}"),
            conflicts.get(0));
    }
}
