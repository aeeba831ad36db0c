package org.recsys.recommend.query;

import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.elasticsearch.action.ResolvedIndices;
import org.elasticsearch.cluster.metadata.IndexMetadata;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.index.IndexMode;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.mapper.IdFieldMapper;
import org.elasticsearch.index.mapper.SourceFieldMapper;
import org.elasticsearch.index.mapper.Uid;
import org.recsys.recommend.blend.RewriteMemo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The content signal's query when the history's text lives in the shard being searched (an index with one shard): the
 * shard reads the history items' stored source itself when the query is rewritten, instead of a multi-get on the
 * coordinating node before the search. The content generator runs side by side with the other generators, so this read
 * overlaps their searches. The text read is the searcher's point-in-time view of the items (a multi-get would read in
 * real time: an item changed since the last refresh contributes its refreshed text). The text of each item is kept per
 * segment and document in the node's {@link HistoryTextCache}, so recurring history items skip the stored-fields read.
 */
final class ShardContent extends Query {

    /** Builds the content query from the texts; null when there is no text. */
    interface QueryFactory {
        Query build(List<String> texts) throws IOException;
    }

    private final List<String> ids;
    private final List<String> fields;
    private final List<String> likeText;
    private final QueryFactory factory;
    private RewriteMemo.ReaderView builtFor; // the reader (as this caller sees it) the query below was built on; guarded by this
    private Query built;

    ShardContent(List<String> ids, List<String> fields, List<String> likeText, QueryFactory factory) {
        this.ids = List.copyOf(ids);
        this.fields = List.copyOf(fields);
        this.likeText = List.copyOf(likeText);
        this.factory = factory;
    }

    /**
     * Whether the shard can read the history's text itself: the search targets exactly one local index, with one shard,
     * standard index mode and a stored _source (a multi-get would read the same source).
     */
    static boolean readableOnShard(ResolvedIndices indices) {
        if (indices.getRemoteClusterIndices().isEmpty() == false) {
            return false;
        }
        Map<?, IndexMetadata> local = indices.getConcreteLocalIndicesMetadata();
        if (local.size() != 1) {
            return false;
        }
        IndexMetadata index = local.values().iterator().next();
        return index.getNumberOfShards() == 1
            && IndexSettings.MODE.get(index.getSettings()) == IndexMode.STANDARD
            && IndexSettings.INDEX_MAPPER_SOURCE_MODE_SETTING.get(index.getSettings()) == SourceFieldMapper.Mode.STORED;
    }

    /** The history items whose text feeds the content signal: the most recent ones, as the coordinating lookup takes. */
    static List<String> recentIds(List<HistoryItem> history) {
        List<HistoryItem> recent = history.subList(Math.max(0, history.size() - ItemLookup.MAX_CONTENT_ITEMS), history.size());
        return recent.stream().map(HistoryItem::item).toList();
    }

    @Override
    public Query rewrite(IndexSearcher searcher) throws IOException {
        IndexReader reader = searcher.getIndexReader();
        synchronized (this) {
            // by view, not by reader instance: the fetch phase explains hits on its own wrapper of the same reader
            RewriteMemo.ReaderView view = RewriteMemo.ReaderView.of(reader);
            if (view.equals(builtFor) == false) {
                List<String> texts = new ArrayList<>(likeText);
                texts.addAll(read(reader));
                Query query = factory.build(texts);
                // rewritten here, once per view (more-like-this picks its terms by their statistics in this reader)
                built = query == null ? new MatchNoDocsQuery("no content text in the history or like_text") : searcher.rewrite(query);
                builtFor = view;
            }
            return built;
        }
    }

    /** The content fields' values of the history items found in this reader, in history order. */
    private List<String> read(IndexReader reader) throws IOException {
        HistoryTextCache cache = HistoryTextCache.current();
        List<String> texts = new ArrayList<>();
        for (String id : ids) {
            texts.addAll(textsOf(reader, Uid.encodeId(id), cache));
        }
        return texts;
    }

    /** The content texts of the live document with this _id, or none. */
    private List<String> textsOf(IndexReader reader, BytesRef uid, HistoryTextCache cache) throws IOException {
        for (LeafReaderContext leaf : reader.leaves()) {
            Terms terms = leaf.reader().terms(IdFieldMapper.NAME);
            if (terms == null) {
                continue;
            }
            TermsEnum termsEnum = terms.iterator();
            if (termsEnum.seekExact(uid) == false) {
                continue;
            }
            PostingsEnum postings = termsEnum.postings(null, PostingsEnum.NONE);
            Bits live = leaf.reader().getLiveDocs();
            for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
                if (live != null && live.get(doc) == false) {
                    continue;
                }
                int found = doc;
                return cache.texts(leaf.reader(), found, fields, () -> contentOf(leaf.reader().storedFields().document(found,
                    Set.of(SourceFieldMapper.NAME))));
            }
        }
        return List.of();
    }

    private List<String> contentOf(Document stored) {
        BytesRef source = stored.getBinaryValue(SourceFieldMapper.NAME);
        List<String> texts = new ArrayList<>();
        if (source != null) {
            ItemLookup.appendContent(XContentHelper.convertToMap(new BytesArray(source), false).v2(), fields, texts);
        }
        return texts;
    }

    @Override
    public void visit(QueryVisitor visitor) {
        // what it will run is not known before the rewrite; a more-like-this query is bounded by its maxQueryTerms
        visitor.visitLeaf(this);
    }

    @Override
    public String toString(String field) {
        return "content_of_history(" + ids.size() + " items, fields=" + fields + ")";
    }

    /** By its inputs: the query it builds on a reader follows from them (the factory is the shard's mapping's). */
    @Override
    public boolean equals(Object o) {
        return sameClassAs(o) && o instanceof ShardContent other && ids.equals(other.ids) && fields.equals(other.fields)
            && likeText.equals(other.likeText);
    }

    @Override
    public int hashCode() {
        return Objects.hash(classHash(), ids, fields, likeText);
    }
}
