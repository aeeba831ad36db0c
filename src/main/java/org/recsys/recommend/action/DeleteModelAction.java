package org.recsys.recommend.action;

import org.elasticsearch.ResourceNotFoundException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.master.AcknowledgedRequest;
import org.elasticsearch.action.support.master.AcknowledgedResponse;
import org.elasticsearch.action.support.master.AcknowledgedTransportMasterNodeAction;
import org.elasticsearch.cluster.AckedClusterStateUpdateTask;
import org.elasticsearch.cluster.ClusterState;
import org.elasticsearch.cluster.block.ClusterBlockException;
import org.elasticsearch.cluster.block.ClusterBlockLevel;
import org.elasticsearch.cluster.metadata.ProjectMetadata;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.core.SuppressForbidden;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.TransportService;
import org.recsys.recommend.model.ModelMetadata;
import org.recsys.recommend.model.ModelRegistry;

import java.io.IOException;

/** Deletes a model ({@code DELETE _recommend/model/{id}}); 404 when there is none. Indices are left untouched. */
public class DeleteModelAction extends AcknowledgedTransportMasterNodeAction<DeleteModelAction.Request> {

    public static final String NAME = "cluster:admin/recommend/model/delete";
    public static final ActionType<AcknowledgedResponse> TYPE = new ActionType<>(NAME);

    /** The model to delete. */
    public static final class Request extends AcknowledgedRequest<Request> {
        private final String id;

        public Request(TimeValue masterNodeTimeout, TimeValue ackTimeout, String id) {
            super(masterNodeTimeout, ackTimeout);
            this.id = id;
        }

        public Request(StreamInput in) throws IOException {
            super(in);
            id = in.readString();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(id);
        }
    }

    @Inject
    public DeleteModelAction(
        TransportService transportService,
        ClusterService clusterService,
        ThreadPool threadPool,
        ActionFilters filters
    ) {
        super(NAME, transportService, clusterService, threadPool, filters, Request::new, EsExecutors.DIRECT_EXECUTOR_SERVICE);
    }

    @Override
    @SuppressForbidden(reason = "a single, rare metadata update: batching would add machinery without benefit")
    protected void masterOperation(Task task, Request request, ClusterState state, ActionListener<AcknowledgedResponse> listener) {
        if (ModelRegistry.models(state).get(request.id) == null) {
            listener.onFailure(new ResourceNotFoundException("[model] unknown recommend model [" + request.id + "]"));
            return;
        }
        String source = "delete-recommend-model-" + request.id;
        clusterService.submitUnbatchedStateUpdateTask(source, new AckedClusterStateUpdateTask(request, listener) {
            @Override
            public ClusterState execute(ClusterState current) {
                ProjectMetadata project = current.metadata().getProject();
                ModelMetadata updated = ModelRegistry.models(project).without(request.id);
                return current.copyAndUpdateProject(project.id(), builder -> builder.putCustom(ModelMetadata.TYPE, updated));
            }
        });
    }

    @Override
    protected ClusterBlockException checkBlock(Request request, ClusterState state) {
        return state.blocks().globalBlockedException(state.metadata().getProject().id(), ClusterBlockLevel.METADATA_WRITE);
    }
}
