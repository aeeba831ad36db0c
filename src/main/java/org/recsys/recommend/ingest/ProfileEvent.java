package org.recsys.recommend.ingest;

/**
 * One interaction to apply to a user's profile: {@code weight} > 0, {@code ts} as sent (or the ingest time), and the
 * event document's {@code _id} when the client gave one (null when Elasticsearch will generate it): a retry under the same
 * id is applied once.
 */
record ProfileEvent(String user, String item, double weight, String ts, String eventId) {}
