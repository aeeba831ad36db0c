package org.recsys.recommend.blend;

import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.IndexSearcher;
import org.elasticsearch.common.cache.Cache;
import org.elasticsearch.common.cache.CacheBuilder;
import org.elasticsearch.core.TimeValue;

import java.util.List;

/**
 * Hands a request's candidates from its query phase to its fetch phase. Explaining hits (the {@code _recommend} endpoint's
 * signal breakdown) rewrites the query again in the fetch phase, and rewriting runs every candidate generator (kNN,
 * neighbor postings, content): on the 1M-item benchmark that second run was a quarter of a {@code _recommend} call's CPU.
 * Only queries carrying a request's token take part (the endpoint sets one per request, {@code _search} queries have
 * none), so a memo never serves another request; the fetch phase takes it out.
 *
 * <p>Entries are keyed by the token, the query and the reader as the caller sees it: the same point-in-time reader (its
 * cache key, which Elasticsearch requires its per-search reader wrappers to keep) and, per segment, its live documents and
 * field infos by identity (document- and field-level security change those, with their own per wrapper: a view that
 * differs between the phases just misses the memo). Bounded by the candidates' size (8 MB) and kept 30 seconds.
 */
public final class RewriteMemo {

    private static final Cache<Key, RecommendQuery> MEMO = CacheBuilder.<Key, RecommendQuery>builder()
        .setMaximumWeight(8L << 20)
        .weigher((key, rewritten) -> rewritten.candidateBytes())
        .setExpireAfterWrite(TimeValue.timeValueSeconds(30))
        .build();

    /**
     * A point-in-time reader as one caller sees it: the reader's cache key and, per segment, its live documents and field
     * infos by identity (what document- and field-level security change). Equal across Elasticsearch's per-search
     * wrappers of the same reader for the same caller.
     */
    public record ReaderView(Object reader, List<View> views) {
        public static ReaderView of(IndexReader reader) {
            List<View> views = reader.leaves()
                .stream()
                .map(LeafReaderContext::reader)
                .map(leaf -> new View(leaf.getLiveDocs(), leaf.getFieldInfos()))
                .toList();
            return new ReaderView(readerKey(reader), views);
        }
    }

    /** Per segment, what the caller may see: live documents and field infos, compared by identity. */
    record View(Object liveDocs, Object fieldInfos) {
        @Override
        public boolean equals(Object o) {
            return o instanceof View other && liveDocs == other.liveDocs && fieldInfos == other.fieldInfos;
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(liveDocs) + System.identityHashCode(fieldInfos);
        }
    }

    private record Key(ReaderView view, RecommendQuery query) {}

    private RewriteMemo() {}

    /**
     * The reader's identity for candidates: its cache key when it has one, which survives per-search wrappers; otherwise
     * this reader instance alone.
     */
    static Object readerKey(IndexReader reader) {
        IndexReader.CacheHelper helper = reader.getReaderCacheHelper();
        return helper != null ? helper.getKey() : reader.getContext().id();
    }

    /** The memo for this query and reader, taken out: each generation serves at most one more rewrite. */
    static RecommendQuery take(IndexSearcher searcher, RecommendQuery query) {
        Key key = key(searcher, query);
        if (key == null) {
            return null;
        }
        RecommendQuery memo = MEMO.get(key);
        if (memo != null) {
            MEMO.invalidate(key);
        }
        return memo;
    }

    static void put(IndexSearcher searcher, RecommendQuery query, RecommendQuery rewritten) {
        Key key = key(searcher, query);
        if (key != null) {
            MEMO.put(key, rewritten);
        }
    }

    private static Key key(IndexSearcher searcher, RecommendQuery query) {
        if (query.handoffToken() == 0 || searcher.getIndexReader().getReaderCacheHelper() == null) {
            return null; // no identity that outlives this reader instance
        }
        return new Key(ReaderView.of(searcher.getIndexReader()), query);
    }
}
