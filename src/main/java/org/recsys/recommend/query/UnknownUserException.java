package org.recsys.recommend.query;

/**
 * A query named a user whose profile does not exist: a 400 like any other bad argument, with its own type so that callers
 * (the {@code _recommend} endpoint's {@code unknown_user: backfill}) tell it apart from other errors by type, not by text.
 */
public final class UnknownUserException extends IllegalArgumentException {

    private final String userId;

    UnknownUserException(UserRef user) {
        super("[user] [" + user.id() + "] not found in index [" + user.index() + "]");
        this.userId = user.id();
    }

    public String userId() {
        return userId;
    }
}
