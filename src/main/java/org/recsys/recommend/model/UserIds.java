package org.recsys.recommend.model;

import org.apache.lucene.util.UnicodeUtil;

/**
 * A user id names the user's profile document, so it obeys Elasticsearch's rules for {@code _id}: non-empty and at most 512
 * bytes in UTF-8. Checked where ids come in, so one bad id fails its own event (or is skipped by a training), never the
 * batch or page of profiles it would have been written with.
 */
public final class UserIds {

    public static final int MAX_BYTES = 512;

    private UserIds() {}

    /** Why {@code id} cannot name a profile, or null when it can. */
    public static String problem(String id) {
        if (id.isEmpty()) {
            return "must be a non-empty string";
        }
        int bytes = UnicodeUtil.calcUTF16toUTF8Length(id, 0, id.length());
        return bytes > MAX_BYTES ? "must be at most " + MAX_BYTES + " bytes long (a profile's _id), got " + bytes + " bytes" : null;
    }
}
