package org.recsys.recommend.train;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.sort.SortOrder;
import org.elasticsearch.tasks.CancellableTask;

import java.util.HashMap;
import java.util.Map;

/**
 * The version (sequence number and primary term) of every user profile, read before the training reads its events. A
 * profile whose version is still this one when the training writes it has taken no event since: the training may replace
 * its history. Any other profile took events the training did not read (acknowledged by {@code recommend_update} while
 * it ran), and keeps its history: see {@link ChangedProfiles}.
 */
final class ProfileVersions {

    /** A profile's version as held: the map entry, the id's string and the record (measured order of magnitude). */
    static final long BYTES_PER_PROFILE = 200;

    /** A profile's version: what a conditional write names. */
    record Version(long seqNo, long primaryTerm) {}

    private ProfileVersions() {}

    static void read(Client client, CancellableTask task, String usersIndex, ActionListener<Map<String, Version>> listener) {
        Map<String, Version> versions = new HashMap<>();
        SearchSourceBuilder source = new SearchSourceBuilder().size(5000).fetchSource(false).seqNoAndPrimaryTerm(true)
            .sort("_doc", SortOrder.ASC);
        ScrollScan.scan(client, task, new SearchRequest(usersIndex).source(source), hits -> {
            for (SearchHit hit : hits) {
                versions.put(hit.getId(), new Version(hit.getSeqNo(), hit.getPrimaryTerm()));
            }
        }, listener.map(v -> versions));
    }
}
