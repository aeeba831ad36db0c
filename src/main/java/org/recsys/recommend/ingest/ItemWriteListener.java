package org.recsys.recommend.ingest;

import org.elasticsearch.index.engine.Engine;
import org.elasticsearch.index.shard.IndexingOperationListener;
import org.elasticsearch.index.shard.ShardId;

/** Drops an item's cached factors as soon as this node indexes or deletes that document, so re-indexed items are seen. */
public final class ItemWriteListener implements IndexingOperationListener {

    private final ItemFactorCache cache;

    public ItemWriteListener(ItemFactorCache cache) {
        this.cache = cache;
    }

    @Override
    public void postIndex(ShardId shardId, Engine.Index index, Engine.IndexResult result) {
        cache.invalidate(shardId.getIndex(), index.id());
    }

    @Override
    public void postDelete(ShardId shardId, Engine.Delete delete, Engine.DeleteResult result) {
        cache.invalidate(shardId.getIndex(), delete.id());
    }
}
