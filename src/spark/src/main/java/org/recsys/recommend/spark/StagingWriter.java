package org.recsys.recommend.spark;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The staging index a run is written to before the plugin imports it. The job creates it with a mapping of its own
 * ({@code dynamic: false}: factors, histories and neighbor maps stay in {@code _source}, unindexed; only {@code run_id} and
 * {@code kind} are searchable), writes items and users through the connector, and last the manifest: a run without one is
 * incomplete, whatever documents it left.
 */
final class StagingWriter {

    /** The column that becomes each staged document's {@code _id}. */
    static final String DOC_ID = "doc_id";

    private final EsHttp http;
    private final JobOptions options;
    private final String index;

    StagingWriter(EsHttp http, JobOptions options) {
        this.http = http;
        this.options = options;
        this.index = EsHttp.segment(options.stagingIndex());
    }

    /**
     * Creates the index if it is absent, checks its mapping if it is not. A run id it already holds documents of is run again
     * (a retry after a failure): its documents are replaced, and its manifest is deleted first, so that no {@code _import}
     * takes the run while it is half rewritten. Answers how many documents the run had.
     */
    long prepare() {
        EsHttp.Response exists = http.head(index);
        if (exists.status() == 404) {
            Map<String, Object> keyword = Map.of("type", "keyword");
            Map<String, Object> properties = Map.of("run_id", keyword, "kind", keyword);
            Map<String, Object> body = Map.of("mappings", Map.of("dynamic", false, "properties", properties));
            EsHttp.Response created = http.put(index, body);
            // another run may have created it meanwhile: that is as good
            if (created.ok() == false && created.body().contains("resource_already_exists_exception") == false) {
                EsHttp.require(created, "create the staging index [" + options.stagingIndex() + "]");
            }
        } else {
            EsHttp.require(exists, "check the staging index [" + options.stagingIndex() + "]");
            requireKeyword("run_id");
            requireKeyword("kind");
        }
        long existing = count(null);
        if (existing > 0) {
            EsHttp.Response deleted = http.send("DELETE", index + "/_doc/" + manifestId() + "?refresh=true", null, Duration.ofMinutes(1));
            if (deleted.status() != 404) {
                EsHttp.require(deleted, "delete the manifest of the earlier run [" + options.runId() + "]");
            }
        }
        return existing;
    }

    private void requireKeyword(String field) {
        JsonNode mapping = EsHttp.require(http.get(index + "/_mapping/field/" + field), "read the staging index's mapping").json();
        for (JsonNode indexMapping : mapping) {
            JsonNode type = indexMapping.path("mappings").path(field).path("mapping").path(field).path("type");
            if ("keyword".equals(type.asText()) == false) {
                throw new IllegalStateException("the staging index [" + options.stagingIndex() + "] maps [" + field + "] as ["
                    + type.asText("nothing") + "], not [keyword]: it was not created by this job; delete it or choose another "
                    + "--staging-index");
            }
        }
    }

    void write(Dataset<Row> docs) {
        docs.write().format("es").options(ConnectorSettings.write(options)).mode(SaveMode.Append).save(options.stagingIndex());
    }

    /**
     * Makes the run visible, checks that every document arrived (the connector reports failures, this catches anything it
     * would not), then writes the manifest, which says the run is complete.
     */
    void finish(Map<String, Object> manifest, long items, long users) {
        EsHttp.require(http.post(index + "/_refresh", null), "refresh the staging index");
        long stagedItems = count("item");
        long stagedUsers = count("user");
        if (stagedItems != items || stagedUsers != users) {
            // more: an earlier run under this id staged items or users this one does not have; fewer: writes went missing
            throw new IllegalStateException("the staging index holds " + stagedItems + " items and " + stagedUsers + " users of run ["
                + options.runId() + "], but " + items + " and " + users + " were written: no manifest, the run is incomplete. If an "
                + "earlier run had this id, run again with a new --run-id (or delete its documents: POST " + options.stagingIndex()
                + "/_delete_by_query {\"query\":{\"term\":{\"run_id\":\"" + options.runId() + "\"}}})");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("run_id", options.runId());
        body.put("kind", "manifest");
        body.putAll(manifest);
        EsHttp.require(http.put(index + "/_doc/" + manifestId() + "?refresh=true", body), "write the manifest of run [" + options.runId()
            + "]");
    }

    private String manifestId() {
        return EsHttp.segment(options.runId() + ":manifest");
    }

    /** The run's documents of one kind (null: of every kind). */
    private long count(String kind) {
        List<Object> filters = kind == null
            ? List.of(Map.of("term", Map.of("run_id", options.runId())))
            : List.of(Map.of("term", Map.of("run_id", options.runId())), Map.of("term", Map.of("kind", kind)));
        Map<String, Object> query = Map.of("query", Map.of("bool", Map.of("filter", filters)));
        return EsHttp.require(http.post(index + "/_count", query), "count the staged documents").json().path("count").asLong();
    }
}
