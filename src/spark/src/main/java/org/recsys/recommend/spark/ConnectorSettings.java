package org.recsys.recommend.spark;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The elasticsearch-hadoop settings ({@code es.*}) the job's reads and writes share, and each one's own. Every value is
 * set explicitly, so that a {@code spark-defaults.conf} written for another job cannot change what this one does.
 */
final class ConnectorSettings {

    /** Shards are split into slices of at most this many events, so that one large shard does not become one long task. */
    static final String DOCS_PER_PARTITION = "100000";

    private ConnectorSettings() {}

    static Map<String, String> common(JobOptions options) {
        URI es = options.es();
        boolean https = "https".equalsIgnoreCase(es.getScheme());
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("es.nodes", es.getHost());
        settings.put("es.port", Integer.toString(es.getPort() > 0 ? es.getPort() : https ? 443 : 80));
        settings.put("es.net.ssl", Boolean.toString(https));
        if (es.getPath() != null && es.getPath().isEmpty() == false && es.getPath().equals("/") == false) {
            settings.put("es.nodes.path.prefix", es.getPath()); // behind a proxy that routes by path
        }
        // Only the address given: executors often cannot reach the nodes' publish addresses (containers, clouds, proxies),
        // and a node that answers on --es is enough for reads and writes through it.
        settings.put("es.nodes.wan.only", "true");
        if (options.user() != null) {
            settings.put("es.net.http.auth.user", options.user());
            settings.put("es.net.http.auth.pass", options.password());
        }
        return settings;
    }

    /**
     * The events read: only the fields used, events at or before the cutoff or without a timestamp (pushed down as the query,
     * so the rest never leaves Elasticsearch), dates parsed (see {@link EventReader}), the {@code _id} (to name an event
     * whose weight is wrong).
     */
    static Map<String, String> read(JobOptions options) {
        Map<String, String> settings = common(options);
        settings.put("es.read.field.include", String.join(",", options.eventFields()));
        settings.put("es.query", cutoffQuery(options.timestampField(), options.cutoff().toString()));
        settings.put("es.input.max.docs.per.partition", DOCS_PER_PARTITION);
        settings.put("es.scroll.size", "5000"); // small documents: fewer round trips
        settings.put("es.mapping.date.rich", "true");
        settings.put("es.read.metadata", "true");
        settings.put("es.read.metadata.field", EventReader.METADATA);
        // an empty user or item counts as missing, as in the plugin's _train
        settings.put("es.read.field.empty.as.null", "true");
        return settings;
    }

    /**
     * Writes into the staging index, which the job created beforehand with its own mapping: the connector must never create
     * it (a float array would map as a plain {@code float} field, a history as objects). Plain {@code index}: a run written
     * again under its id replaces its documents whole, never merges into them (old neighbors would survive a merge).
     */
    static Map<String, String> write(JobOptions options) {
        Map<String, String> settings = common(options);
        settings.put("es.index.auto.create", "false");
        settings.put("es.write.operation", "index");
        settings.put("es.mapping.id", StagingWriter.DOC_ID);
        settings.put("es.mapping.exclude", StagingWriter.DOC_ID);
        settings.put("es.spark.dataframe.write.null", "false"); // no neighbors, no timestamp: the field is left out
        settings.put("es.batch.write.refresh", "false"); // one refresh at the end, before the manifest
        return settings;
    }

    /** {@code ts <= cutoff OR no ts}, with the cutoff's own format, whatever the field's mapping says. */
    static String cutoffQuery(String timestampField, String cutoff) {
        Map<String, Object> range = Map.of("range", Map.of(timestampField, Map.of("lte", cutoff, "format", "strict_date_optional_time")));
        Map<String, Object> missing = Map.of("bool", Map.of("must_not", List.of(Map.of("exists", Map.of("field", timestampField)))));
        Map<String, Object> query = Map.of("bool", Map.of("should", List.of(range, missing), "minimum_should_match", 1));
        try {
            return EsHttp.JSON.writeValueAsString(Map.of("query", query));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
