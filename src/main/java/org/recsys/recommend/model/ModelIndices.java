package org.recsys.recommend.model;

import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.ResourceAlreadyExistsException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.admin.indices.create.CreateIndexRequest;
import org.elasticsearch.action.admin.indices.mapping.get.GetMappingsRequest;
import org.elasticsearch.action.admin.indices.mapping.put.PutMappingRequest;
import org.elasticsearch.action.support.IndicesOptions;
import org.elasticsearch.action.support.RefCountingListener;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.cluster.metadata.MappingMetadata;
import org.elasticsearch.common.regex.Regex;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.index.IndexNotFoundException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes a model's items and users indices ready for what the plugin writes ({@link ModelMappings}): a missing index is
 * created with the fields mapped, an existing one gets the fields it lacks. Every index is checked before anything is
 * written, so a mapping that conflicts fails the call with a 400 naming the field and the mapping it needs, and nothing
 * changes. Runs with the caller's privileges: creating and extending mappings needs {@code manage} on those indices (or
 * {@code create_index} where an index is created); reading them {@code view_index_metadata}.
 */
public final class ModelIndices {

    private ModelIndices() {}

    /** Prepares the items and the users index of {@code model}. */
    public static void prepare(Client client, RecommendModel model, ActionListener<Void> listener) {
        Map<String, List<ModelMappings.Field>> byIndex = new LinkedHashMap<>();
        byIndex.computeIfAbsent(model.items().index(), i -> new ArrayList<>()).addAll(ModelMappings.itemFields(model));
        byIndex.computeIfAbsent(model.users().index(), i -> new ArrayList<>()).addAll(ModelMappings.userFields(model));
        prepare(client, byIndex, listener);
    }

    /** Creates the users index of {@code model} with its fields mapped; an index created meanwhile by someone else is fine. */
    public static void createUsersIndex(Client client, RecommendModel model, ActionListener<Void> listener) {
        create(client, model.users().index(), ModelMappings.userFields(model), listener);
    }

    private static void prepare(Client client, Map<String, List<ModelMappings.Field>> byIndex, ActionListener<Void> listener) {
        // one request per name: its response holds exactly the indices the name stands for (itself, a pattern's, an alias's)
        Map<String, Map<String, MappingMetadata>> found = new ConcurrentHashMap<>();
        try (RefCountingListener read = new RefCountingListener(listener.delegateFailureAndWrap((l, v) -> write(client, byIndex, found,
            l)))) {
            for (String name : byIndex.keySet()) {
                // strict: an index the caller may not see is a 403, not a missing index to create (lenient options would
                // drop it silently under security)
                GetMappingsRequest get = new GetMappingsRequest(TimeValue.THIRTY_SECONDS).indices(name)
                    .indicesOptions(IndicesOptions.strictExpandOpen());
                ActionListener<Void> done = read.acquire();
                client.admin().indices().getMappings(get, ActionListener.wrap(response -> {
                    found.put(name, response.mappings());
                    done.onResponse(null);
                }, e -> {
                    if (ExceptionsHelper.unwrapCause(e) instanceof IndexNotFoundException) {
                        found.put(name, Map.of());
                        done.onResponse(null);
                    } else {
                        done.onFailure(e);
                    }
                }));
            }
        }
    }

    /** Checks every index first, then creates and extends: a conflict anywhere leaves everything as it was. */
    private static void write(Client client, Map<String, List<ModelMappings.Field>> byIndex,
        Map<String, Map<String, MappingMetadata>> found, ActionListener<Void> listener) {
        List<String> conflicts = new ArrayList<>();
        Map<String, List<ModelMappings.Field>> toPut = new LinkedHashMap<>();
        Map<String, List<ModelMappings.Field>> toCreate = new LinkedHashMap<>();
        for (Map.Entry<String, List<ModelMappings.Field>> wanted : byIndex.entrySet()) {
            Map<String, MappingMetadata> concrete = found.getOrDefault(wanted.getKey(), Map.of());
            if (concrete.isEmpty()) {
                if (Regex.isSimpleMatchPattern(wanted.getKey()) == false) {
                    toCreate.put(wanted.getKey(), wanted.getValue());
                }
                continue;
            }
            for (Map.Entry<String, MappingMetadata> index : concrete.entrySet()) {
                Map<String, Object> source = index.getValue() == null ? Map.of() : index.getValue().sourceAsMap();
                List<ModelMappings.Field> missing = ModelMappings.missing(index.getKey(), source, wanted.getValue(), conflicts);
                if (missing.isEmpty() == false) {
                    toPut.put(index.getKey(), missing);
                }
            }
        }
        if (conflicts.isEmpty() == false) {
            listener.onFailure(new IllegalArgumentException(String.join("; ", conflicts)));
            return;
        }
        try (RefCountingListener all = new RefCountingListener(listener)) {
            toCreate.forEach((index, fields) -> create(client, index, fields, all.acquire()));
            toPut.forEach((index, fields) -> {
                PutMappingRequest put = new PutMappingRequest(index).source(ModelMappings.properties(fields));
                client.admin().indices().putMapping(put, all.acquire(ack -> {}));
            });
        }
    }

    private static void create(Client client, String index, List<ModelMappings.Field> fields, ActionListener<Void> listener) {
        CreateIndexRequest create = new CreateIndexRequest(index).mapping(ModelMappings.properties(fields));
        client.admin().indices().create(create, ActionListener.wrap(r -> listener.onResponse(null), e -> {
            if (ExceptionsHelper.unwrapCause(e) instanceof ResourceAlreadyExistsException) {
                // created meanwhile, most likely by a concurrent first write of this plugin with the same mappings; not read
                // again (the sender of events may not read mappings, and a retry could race again)
                listener.onResponse(null);
            } else {
                listener.onFailure(e);
            }
        }));
    }
}
