package org.recsys.recommend.action;

import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.action.ValidateActions;
import org.elasticsearch.action.IndicesRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.support.IndicesOptions;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.tasks.TaskId;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A {@code _recommend} call on some indices: one spec, or a batch. It is an {@link IndicesRequest.Replaceable}, so security
 * resolves and authorizes its indices (wildcards, aliases) exactly as it does for {@code _search}.
 */
public class RecommendRequest extends ActionRequest implements IndicesRequest.Replaceable {

    private String[] indices;
    private final IndicesOptions indicesOptions;
    private final List<RecommendSpec> specs;
    private final boolean batch;

    public RecommendRequest(String[] indices, IndicesOptions indicesOptions, List<RecommendSpec> specs, boolean batch) {
        this.indices = indices;
        this.indicesOptions = indicesOptions == null ? SearchRequest.DEFAULT_INDICES_OPTIONS : indicesOptions;
        this.specs = List.copyOf(specs);
        this.batch = batch;
    }

    public RecommendRequest(StreamInput in) throws IOException {
        super(in);
        indices = in.readStringArray();
        indicesOptions = IndicesOptions.readIndicesOptions(in);
        specs = in.readCollectionAsList(RecommendSpec::new);
        batch = in.readBoolean();
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        super.writeTo(out);
        out.writeStringArray(indices);
        indicesOptions.writeIndicesOptions(out);
        out.writeCollection(specs);
        out.writeBoolean(batch);
    }

    public List<RecommendSpec> specs() {
        return specs;
    }

    public boolean batch() {
        return batch;
    }

    @Override
    public String[] indices() {
        return indices;
    }

    @Override
    public IndicesRequest indices(String... newIndices) {
        this.indices = newIndices;
        return this;
    }

    @Override
    public IndicesOptions indicesOptions() {
        return indicesOptions;
    }

    @Override
    public ActionRequestValidationException validate() {
        // REST refuses an empty batch itself; a transport caller must not get a listener that is never called
        if (specs.isEmpty()) {
            return ValidateActions.addValidationError("[requests] must hold at least one request", null);
        }
        String tooMany = tooMany(specs.size());
        return tooMany == null ? null : ValidateActions.addValidationError(tooMany, null);
    }

    /** Why a batch of {@code size} requests is refused (more than {@link TransportRecommendAction#MAX_BATCH}), or null. */
    public static String tooMany(int size) {
        return size <= TransportRecommendAction.MAX_BATCH ? null
            : "[requests] holds " + size + " requests, at most " + TransportRecommendAction.MAX_BATCH + " are allowed in one call";
    }

    @Override
    public Task createTask(long id, String type, String action, TaskId parentTaskId, Map<String, String> headers) {
        return new CancellableTask(id, type, action, getDescription(), parentTaskId, headers);
    }

    @Override
    public String getDescription() {
        return "recommend on " + String.join(",", indices) + " (" + specs.size() + (batch ? " requests)" : " request)");
    }
}
