package org.recsys.recommend.testing;

import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FilterDirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.LeafReader;

import java.io.IOException;
import java.util.stream.StreamSupport;

/**
 * Readers with field infos of their own that share the segment's core, as Elasticsearch's field-level security wraps them
 * (anew for every search): for tests of per-segment caches that must neither leak across such readers nor grow with them.
 */
public final class OwnFieldInfos {

    private OwnFieldInfos() {}

    /** {@code in} with field infos {@code infos}: the same core cache key, no reader cache key. */
    public static LeafReader leaf(LeafReader in, FieldInfos infos) {
        return new FilterLeafReader(in) {
            @Override
            public FieldInfos getFieldInfos() {
                return infos;
            }

            @Override
            public CacheHelper getCoreCacheHelper() {
                return in.getCoreCacheHelper();
            }

            @Override
            public CacheHelper getReaderCacheHelper() {
                return null;
            }
        };
    }

    /**
     * Every leaf of {@code in} with a new copy of its field infos ({@code keepFields}) or with none. Closing it closes
     * {@code in}: leave it open when {@code in} is closed elsewhere (it holds nothing else).
     */
    public static DirectoryReader directory(DirectoryReader in, boolean keepFields) throws IOException {
        return new Wrapper(in, keepFields);
    }

    private static final class Wrapper extends FilterDirectoryReader {
        private final boolean keepFields;

        Wrapper(DirectoryReader in, boolean keepFields) throws IOException {
            super(in, new SubReaderWrapper() {
                @Override
                public LeafReader wrap(LeafReader reader) {
                    FieldInfo[] copy = StreamSupport.stream(reader.getFieldInfos().spliterator(), false).toArray(FieldInfo[]::new);
                    return leaf(reader, keepFields ? new FieldInfos(copy) : FieldInfos.EMPTY);
                }
            });
            this.keepFields = keepFields;
        }

        @Override
        protected DirectoryReader doWrapDirectoryReader(DirectoryReader in) throws IOException {
            return new Wrapper(in, keepFields);
        }

        @Override
        public CacheHelper getReaderCacheHelper() {
            return null;
        }
    }
}
