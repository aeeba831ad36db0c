package org.recsys.recommend;

import org.apache.lucene.util.SetOnce;
import org.elasticsearch.cluster.NamedDiff;
import org.elasticsearch.cluster.metadata.Metadata;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.index.IndexModule;
import org.elasticsearch.ingest.Processor;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.IngestPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.SearchPlugin;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ExecutorBuilder;
import org.elasticsearch.threadpool.FixedExecutorBuilder;
import org.elasticsearch.xcontent.NamedXContentRegistry;
import org.elasticsearch.xcontent.ParseField;
import org.recsys.recommend.action.DeleteModelAction;
import org.recsys.recommend.action.GetModelAction;
import org.recsys.recommend.action.ImportModelAction;
import org.recsys.recommend.model.ModelRegistry;
import org.recsys.recommend.action.PutModelAction;
import org.recsys.recommend.action.RecommendInfoAction;
import org.recsys.recommend.action.RecommendStatsAction;
import org.recsys.recommend.action.RefreshModelAction;
import org.recsys.recommend.action.EvaluateModelAction;
import org.recsys.recommend.action.TrainModelAction;
import org.recsys.recommend.action.TransportRecommendAction;
import org.recsys.recommend.train.TrainStatus;
import org.recsys.recommend.blend.FactorPartitionCache;
import org.recsys.recommend.ingest.ItemFactorCache;
import org.recsys.recommend.ingest.ProfileCache;
import org.recsys.recommend.ingest.ItemWriteListener;
import org.recsys.recommend.ingest.ModelStateChanges;
import org.recsys.recommend.ingest.ProfileBatcher;
import org.recsys.recommend.ingest.RecommendUpdateProcessor;
import org.recsys.recommend.ingest.RecommendUpdateProcessorFactory;
import org.recsys.recommend.model.ModelMetadata;
import org.recsys.recommend.model.RecommendModel;
import org.recsys.recommend.query.DiversityRescorerBuilder;
import org.recsys.recommend.query.HistoryTextCache;
import org.recsys.recommend.query.RecommendQueryBuilder;
import org.recsys.recommend.rest.RestCatModelsAction;
import org.recsys.recommend.stats.RecommendStats;
import org.recsys.recommend.rest.RestDeleteModelAction;
import org.recsys.recommend.rest.RestRecommendStatsAction;
import org.recsys.recommend.rest.RestGetModelAction;
import org.recsys.recommend.rest.RestImportModelAction;
import org.recsys.recommend.rest.RestPutModelAction;
import org.recsys.recommend.rest.RestRecommendAction;
import org.recsys.recommend.rest.RestRecommendInfoAction;
import org.recsys.recommend.rest.RestRefreshModelAction;
import org.recsys.recommend.rest.RestEvaluateModelAction;
import org.recsys.recommend.rest.RestTrainModelAction;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Entry point of the recommend plugin: registers the query, the rescorer, the REST endpoints, the actions and the ingest processor.
 */
public class RecommendPlugin extends Plugin implements SearchPlugin, ActionPlugin, IngestPlugin {

    // Set when the node builds its components; query parsing and processors read models through it.
    private final SetOnce<ModelRegistry> registry = new SetOnce<>();
    private final RecommendStats stats = new RecommendStats(); // the node's counters: one plugin instance per node
    private final SetOnce<ItemFactorCache> itemFactors = new SetOnce<>();

    @Override
    public List<Setting<?>> getSettings() {
        return List.of(
            ItemFactorCache.SIZE,
            ItemFactorCache.EXPIRE_AFTER_WRITE,
            ItemFactorCache.PROJECTIONS_SIZE,
            ProfileBatcher.MAX_BATCH_USERS,
            ProfileBatcher.MAX_CONCURRENT_BATCHES,
            ProfileCache.SIZE,
            HistoryTextCache.SIZE,
            FactorPartitionCache.ENABLED,
            FactorPartitionCache.MIN_DOCS,
            FactorPartitionCache.MAX_SIZE
        );
    }

    @Override
    public Map<String, Processor.Factory> getProcessors(Processor.Parameters parameters) {
        Settings settings = parameters.env.settings();
        itemFactorCache(settings, parameters.ingestService.getClusterService(), parameters.genericExecutor::accept);
        ModelRegistry models = modelRegistry(parameters.ingestService.getClusterService());
        ProfileCache profiles = new ProfileCache(ProfileCache.SIZE.get(settings));
        stats.profileCacheEntries(profiles::size);
        parameters.ingestService.getClusterService().addListener(event -> {
            if (event.metadataChanged()) {
                profiles.clear();
            }
        });
        ProfileBatcher batcher = new ProfileBatcher(
            parameters.client,
            itemFactors.get(),
            profiles,
            parameters.genericExecutor,
            ProfileBatcher.MAX_BATCH_USERS.get(settings),
            ProfileBatcher.MAX_CONCURRENT_BATCHES.get(settings),
            stats
        );
        return Map.of(RecommendUpdateProcessor.TYPE, new RecommendUpdateProcessorFactory(models, itemFactors.get(), batcher));
    }

    @Override
    public void onIndexModule(IndexModule indexModule) {
        ItemFactorCache cache = itemFactors.get();
        if (cache != null) {
            indexModule.addIndexOperationListener(new ItemWriteListener(cache));
        }
    }

    @Override
    public List<QuerySpec<?>> getQueries() {
        return List.of(
            new QuerySpec<>(
                RecommendQueryBuilder.NAME,
                RecommendQueryBuilder::new,
                parser -> RecommendQueryBuilder.fromXContent(parser, this::modelOrNull)
            )
        );
    }

    @Override
    public List<RescorerSpec<?>> getRescorers() {
        return List.of(
            new RescorerSpec<>(DiversityRescorerBuilder.NAME, DiversityRescorerBuilder::new, DiversityRescorerBuilder::fromXContent)
        );
    }

    @Override
    public Collection<?> createComponents(PluginServices services) {
        modelRegistry(services.clusterService());
        HistoryTextCache.install(services.environment().settings());
        // k-means over a large segment's vectors takes seconds: on the training pool, away from the search threads
        FactorPartitionCache.install(services.environment().settings(), services.threadPool().executor(TrainModelAction.THREAD_POOL));
        // a component, so that _refresh can fill it with the factors it scans
        return List.of(registry.get(), stats, itemFactorCache(services.environment().settings(), services.clusterService(),
            services.threadPool().generic()));
    }

    /** The node's one model registry, created by whichever of the processors and the components asks first. */
    private ModelRegistry modelRegistry(ClusterService clusterService) {
        registry.trySet(new ModelRegistry(clusterService));
        return registry.get();
    }

    /** The node's item factor cache, created by whichever of the processors and the components asks first. */
    private ItemFactorCache itemFactorCache(Settings settings, ClusterService clusterService, Executor executor) {
        if (itemFactors.get() == null) {
            ByteSizeValue size = ItemFactorCache.SIZE.get(settings);
            TimeValue expiry = ItemFactorCache.EXPIRE_AFTER_WRITE.get(settings);
            ByteSizeValue projections = ItemFactorCache.PROJECTIONS_SIZE.get(settings);
            ItemFactorCache cache = new ItemFactorCache(size, expiry, projections, ItemFactorCache.concreteIndexIn(clusterService));
            if (itemFactors.trySet(cache)) {
                clusterService.addListener(new ModelStateChanges(cache, executor));
            }
        }
        return itemFactors.get();
    }

    /** For the recommend query, which reports an unknown model only after its search was authorized. */
    private RecommendModel modelOrNull(String id) {
        ModelRegistry models = registry.get();
        if (models == null) {
            throw new IllegalArgumentException("[model] models are not available on this node yet");
        }
        return models.getOrNull(id);
    }

    private RecommendModel modelForQuery(String id) {
        ModelRegistry models = registry.get();
        if (models == null) {
            throw new IllegalArgumentException("[model] models are not available on this node yet");
        }
        return models.getForField("model", id);
    }

    @Override
    public Collection<RestHandler> getRestHandlers(
        RestHandlersServices restHandlersServices,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(
            new RestRecommendInfoAction(),
            new RestPutModelAction(),
            new RestGetModelAction(),
            new RestCatModelsAction(),
            new RestRecommendStatsAction(),
            new RestDeleteModelAction(),
            new RestRefreshModelAction(),
            new RestRecommendAction(this::modelForQuery),
            new RestTrainModelAction(),
            new RestImportModelAction(),
            new RestEvaluateModelAction()
        );
    }

    @Override
    public Collection<ActionHandler> getActions() {
        return List.of(
            new ActionHandler(PutModelAction.TYPE, PutModelAction.class),
            new ActionHandler(GetModelAction.TYPE, GetModelAction.class),
            new ActionHandler(DeleteModelAction.TYPE, DeleteModelAction.class),
            new ActionHandler(RefreshModelAction.TYPE, RefreshModelAction.class),
            new ActionHandler(TransportRecommendAction.TYPE, TransportRecommendAction.class),
            new ActionHandler(TrainModelAction.TYPE, TrainModelAction.class),
            new ActionHandler(ImportModelAction.TYPE, ImportModelAction.class),
            new ActionHandler(EvaluateModelAction.TYPE, EvaluateModelAction.class),
            new ActionHandler(RecommendInfoAction.TYPE, RecommendInfoAction.class),
            new ActionHandler(RecommendStatsAction.TYPE, RecommendStatsAction.class)
        );
    }

    @Override
    public List<NamedWriteableRegistry.Entry> getNamedWriteables() {
        return List.of(
            new NamedWriteableRegistry.Entry(Metadata.ProjectCustom.class, ModelMetadata.TYPE, ModelMetadata::new),
            new NamedWriteableRegistry.Entry(NamedDiff.class, ModelMetadata.TYPE, ModelMetadata::readDiffFrom),
            new NamedWriteableRegistry.Entry(Task.Status.class, TrainStatus.NAME, TrainStatus::new)
        );
    }

    @Override
    public List<ExecutorBuilder<?>> getExecutorBuilders(Settings settings) {
        // Training gets its own bounded pool so searches keep their threads; default: half the allocated processors.
        int size = Math.max(1, EsExecutors.allocatedProcessors(settings) / 2);
        return List.of(
            new FixedExecutorBuilder(settings, TrainModelAction.THREAD_POOL, size, 1000, "recommend.train.thread_pool",
                EsExecutors.TaskTrackingConfig.DO_NOT_TRACK)
        );
    }

    @Override
    public List<NamedXContentRegistry.Entry> getNamedXContent() {
        return List.of(
            new NamedXContentRegistry.Entry(Metadata.ProjectCustom.class, new ParseField(ModelMetadata.TYPE), ModelMetadata::fromXContent)
        );
    }
}
