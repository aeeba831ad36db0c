package org.recsys.recommend.ingest;

/** One interaction to apply to a user's profile: {@code weight} > 0, {@code ts} as sent (or the ingest time). */
record ProfileEvent(String user, String item, double weight, String ts) {}
