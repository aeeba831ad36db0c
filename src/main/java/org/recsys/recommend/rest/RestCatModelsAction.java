package org.recsys.recommend.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.Table;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.action.RestResponseListener;
import org.elasticsearch.rest.action.cat.AbstractCatAction;
import org.elasticsearch.rest.action.cat.RestTable;
import org.recsys.recommend.action.GetModelAction;
import org.recsys.recommend.model.FactorsConfig;
import org.recsys.recommend.model.ModelState;
import org.recsys.recommend.model.RecommendModel;

import java.util.List;

import static org.elasticsearch.rest.RestRequest.Method.GET;

/**
 * The models as a table, as {@code _cat/ml/trained_models} lists trained models: one row per model, the served slot and when
 * its state was stored. It reads through the model get action, so it needs the same privilege ({@code monitor}).
 *
 * <pre>
 * GET _cat/recommend/models?v
 * GET _cat/recommend/models/movies?format=json
 * </pre>
 */
public class RestCatModelsAction extends AbstractCatAction {

    @Override
    public String getName() {
        return "recommend_cat_models_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(GET, "/_cat/recommend/models"), new Route(GET, "/_cat/recommend/models/{id}"));
    }

    @Override
    protected void documentation(StringBuilder sb) {
        sb.append("/_cat/recommend/models\n/_cat/recommend/models/{id}\n");
    }

    @Override
    protected RestChannelConsumer doCatRequest(RestRequest request, NodeClient client) {
        GetModelAction.Request get = new GetModelAction.Request(request.param("id"));
        return channel -> client.execute(GetModelAction.TYPE, get, new RestResponseListener<>(channel) {
            @Override
            public RestResponse buildResponse(GetModelAction.Response response) throws Exception {
                return RestTable.buildResponse(table(request, response), channel);
            }
        });
    }

    @Override
    protected Table getTableWithHeader(RestRequest request) {
        Table table = new Table();
        table.startHeaders();
        table.addCell("id", "alias:i;desc:model id");
        table.addCell("items.index", "alias:ii;desc:items index");
        table.addCell("users.index", "alias:ui;desc:users index");
        table.addCell("dims", "alias:d;text-align:right;desc:factor dimensions");
        table.addCell("lambda", "alias:l;text-align:right;desc:ALS regularization used for fold-in");
        table.addCell("lambda.auto", "alias:la;desc:whether each training derives lambda from its events");
        table.addCell("alpha", "alias:a;text-align:right;desc:implicit confidence weight");
        table.addCell("regularization", "alias:r;desc:constant (lambda) or weighted (lambda times each user's and item's interactions)");
        table.addCell("signals", "alias:s;desc:default signals: model (stored on the model, by a tuning or a PUT) or builtin");
        table.addCell("state", "alias:st;desc:ready (a Gramian is stored) or empty (no _refresh or _train yet)");
        table.addCell("state.items", "alias:sti;text-align:right;desc:items in the stored Gramian");
        table.addCell("state.slot", "alias:sl;text-align:right;desc:the slot of trained fields served (0: configured names, 1: _alt)");
        table.addCell("state.time", "alias:t;desc:when the state was stored");
        table.endHeaders();
        return table;
    }

    private Table table(RestRequest request, GetModelAction.Response response) {
        Table table = getTableWithHeader(request);
        for (RecommendModel model : response.models().values()) {
            ModelState state = model.state();
            table.startRow();
            table.addCell(model.id());
            table.addCell(model.items().index());
            table.addCell(model.users().index());
            table.addCell(model.factors().dims());
            table.addCell(model.factors().lambda());
            table.addCell(model.factors().lambdaAuto());
            table.addCell(model.factors().alpha());
            table.addCell(model.factors().weighted() ? FactorsConfig.WEIGHTED : FactorsConfig.CONSTANT);
            table.addCell(model.signals() != null ? "model" : "builtin");
            table.addCell(state != null ? "ready" : "empty");
            table.addCell(state != null ? state.items() : null);
            table.addCell(model.servingSlot());
            table.addCell(state != null ? java.time.Instant.ofEpochMilli(state.refreshedAtMillis()).toString() : null);
            table.endRow();
        }
        return table;
    }
}
