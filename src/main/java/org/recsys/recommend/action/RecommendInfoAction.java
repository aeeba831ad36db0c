package org.recsys.recommend.action;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.HandledTransportAction;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.transport.TransportService;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;

/**
 * {@code GET _recommend}: which version of the plugin this node runs. An action, not a REST-only answer, so that security
 * authorizes it like every other call ({@code cluster:monitor/recommend/info}: the {@code monitor} privilege).
 */
public class RecommendInfoAction extends HandledTransportAction<RecommendInfoAction.Request, RecommendInfoAction.Response> {

    public static final String NAME = "cluster:monitor/recommend/info";
    public static final ActionType<Response> TYPE = new ActionType<>(NAME);

    /** No parameters. */
    public static final class Request extends ActionRequest {
        public Request() {}

        public Request(StreamInput in) throws IOException {
            super(in);
        }

        @Override
        public ActionRequestValidationException validate() {
            return null;
        }
    }

    /** The plugin's name and version and the Elasticsearch version it was built for. */
    public static final class Response extends ActionResponse implements ToXContentObject {
        private final PluginBuild build;

        Response(PluginBuild build) {
            this.build = build;
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            out.writeString(build.name());
            out.writeString(build.version());
            out.writeString(build.elasticsearchVersion());
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            return builder.startObject()
                .field("name", build.name())
                .field("version", build.version())
                .field("elasticsearch_version", build.elasticsearchVersion())
                .endObject();
        }
    }

    @Inject
    public RecommendInfoAction(TransportService transportService, ActionFilters filters) {
        super(NAME, transportService, filters, Request::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
    }

    @Override
    protected void doExecute(Task task, Request request, ActionListener<Response> listener) {
        listener.onResponse(new Response(PluginBuild.CURRENT));
    }
}
