package org.recsys.recommend.action;

import org.elasticsearch.ResourceNotFoundException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.HandledTransportAction;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.transport.TransportService;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.recsys.recommend.model.ModelMetadata;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.model.RecommendModel;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/** Reads one model, or all ({@code GET _recommend/model[/{id}]}), from the local cluster state. */
public class GetModelAction extends HandledTransportAction<GetModelAction.Request, GetModelAction.Response> {

    public static final String NAME = "cluster:monitor/recommend/model/get";
    public static final ActionType<Response> TYPE = new ActionType<>(NAME);

    /** A model id, or null for every model. */
    public static final class Request extends ActionRequest {
        private final String id;

        public Request(String id) {
            this.id = id;
        }

        public Request(StreamInput in) throws IOException {
            super(in);
            id = in.readOptionalString();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeOptionalString(id);
        }

        @Override
        public ActionRequestValidationException validate() {
            return null;
        }
    }

    /** Models by id, rendered as {@code { "<id>": { …model… } }}. */
    public static final class Response extends ActionResponse implements ToXContentObject {
        private final Map<String, RecommendModel> models;

        public Response(Map<String, RecommendModel> models) {
            this.models = new TreeMap<>(models);
        }

        /** The models by id, in id order. */
        public Map<String, RecommendModel> models() {
            return models;
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            out.writeMap(models, StreamOutput::writeWriteable);
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            builder.startObject();
            for (Map.Entry<String, RecommendModel> e : models.entrySet()) {
                builder.field(e.getKey(), e.getValue(), params);
            }
            return builder.endObject();
        }
    }

    private final ClusterService clusterService;

    @Inject
    public GetModelAction(TransportService transportService, ActionFilters filters, ClusterService clusterService) {
        super(NAME, transportService, filters, Request::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
        this.clusterService = clusterService;
    }

    @Override
    protected void doExecute(Task task, Request request, ActionListener<Response> listener) {
        ModelMetadata models = ModelRegistry.models(clusterService.state());
        if (request.id == null) {
            listener.onResponse(new Response(models.models()));
        } else if (models.get(request.id) == null) {
            listener.onFailure(new ResourceNotFoundException("[model] unknown recommend model [" + request.id + "]"));
        } else {
            listener.onResponse(new Response(Map.of(request.id, models.get(request.id))));
        }
    }
}
