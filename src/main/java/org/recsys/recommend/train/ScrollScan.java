package org.recsys.recommend.train;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.search.ClearScrollRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.search.SearchScrollRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.tasks.CancellableTask;
import org.elasticsearch.tasks.TaskCancelledException;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads every hit of a search page by page with a scroll, handing each page to a consumer; stops on cancellation or on
 * the consumer's exception, and clears the scroll however it ends. The listener is called exactly once. A consumer that
 * works asynchronously (writes each page before the next is read) gets a listener per page.
 */
public final class ScrollScan implements ActionListener<SearchResponse> {

    private static final TimeValue KEEP_ALIVE = TimeValue.timeValueMinutes(2);

    private final Client client;
    private final CancellableTask task;
    private final BiConsumer<SearchHit[], ActionListener<Void>> pages;
    private final ActionListener<Void> done;

    private ScrollScan(Client client, CancellableTask task, BiConsumer<SearchHit[], ActionListener<Void>> pages,
        ActionListener<Void> done) {
        this.client = client;
        this.task = task;
        this.pages = pages;
        this.done = done;
    }

    public static void scan(
        Client client,
        CancellableTask task,
        SearchRequest search,
        Consumer<SearchHit[]> pages,
        ActionListener<Void> done
    ) {
        scanAsync(client, task, search, (hits, next) -> {
            pages.accept(hits);
            next.onResponse(null);
        }, done);
    }

    /** As {@link #scan}, with each page handed over with a listener that the consumer completes before the next is read. */
    public static void scanAsync(
        Client client,
        CancellableTask task,
        SearchRequest search,
        BiConsumer<SearchHit[], ActionListener<Void>> pages,
        ActionListener<Void> done
    ) {
        client.search(search.scroll(KEEP_ALIVE), new ScrollScan(client, task, pages, done));
    }

    @Override
    public void onResponse(SearchResponse response) {
        String scrollId = response.getScrollId();
        try {
            if (task.isCancelled()) {
                throw new TaskCancelledException("cancelled: " + task.getReasonCancelled());
            }
            SearchHit[] hits = response.getHits().getHits();
            if (hits.length == 0) {
                clear(scrollId);
                done.onResponse(null);
                return;
            }
            pages.accept(hits, ActionListener.wrap(
                v -> client.searchScroll(new SearchScrollRequest(scrollId).scroll(KEEP_ALIVE), this),
                e -> {
                    clear(scrollId);
                    done.onFailure(e);
                }
            ));
        } catch (RuntimeException e) {
            clear(scrollId);
            done.onFailure(e);
        }
    }

    @Override
    public void onFailure(Exception e) {
        done.onFailure(e);
    }

    private void clear(String scrollId) {
        if (scrollId != null) {
            ClearScrollRequest clear = new ClearScrollRequest();
            clear.addScrollId(scrollId);
            client.clearScroll(clear, ActionListener.noop());
        }
    }
}
