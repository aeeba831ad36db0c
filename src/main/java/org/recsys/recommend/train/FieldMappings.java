package org.recsys.recommend.train;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.admin.indices.mapping.get.GetFieldMappingsRequest;
import org.elasticsearch.action.admin.indices.mapping.get.GetFieldMappingsResponse;
import org.elasticsearch.action.admin.indices.mapping.get.GetFieldMappingsResponse.FieldMappingMetadata;
import org.elasticsearch.client.internal.Client;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Decisions a training takes from the mappings of the indices it reads (how to read events, whether items hold vectors of
 * their own). The field mappings API needs {@code view_index_metadata}, which a caller with {@code read} alone lacks: the
 * decision then falls back to the choice that works for any mapping.
 */
final class FieldMappings {

    private FieldMappings() {}

    /**
     * Calls {@code then} exactly once: with {@code verdict} on the mappings of {@code fields} in {@code index}, or with
     * {@code unreadable} when they cannot be read.
     */
    static void decide(Client client, String index, String[] fields, Predicate<GetFieldMappingsResponse> verdict, boolean unreadable,
        Consumer<Boolean> then) {
        AtomicBoolean decided = new AtomicBoolean(); // a failure after the verdict (thrown further on) must not decide again
        Consumer<Boolean> once = choice -> {
            if (decided.compareAndSet(false, true)) {
                then.accept(choice);
            }
        };
        GetFieldMappingsRequest request = new GetFieldMappingsRequest().indices(index).fields(fields);
        client.admin().indices().getFieldMappings(request, ActionListener.wrap(mappings -> once.accept(verdict.test(mappings)),
            e -> once.accept(unreadable)));
    }

    /** One field's mapping as the API gives it ({@code {leaf name: mapping}}), or null when the field is not mapped. */
    static Map<?, ?> mappingOf(FieldMappingMetadata field) {
        if (field == null || field.sourceAsMap().size() != 1) {
            return null;
        }
        return field.sourceAsMap().values().iterator().next() instanceof Map<?, ?> mapping ? mapping : null;
    }
}
