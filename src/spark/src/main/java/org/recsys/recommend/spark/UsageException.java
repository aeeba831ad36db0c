package org.recsys.recommend.spark;

/** A command line the job cannot run with; its message names the option. The job exits with code 2 on it. */
public final class UsageException extends Exception {

    public UsageException(String message) {
        super(message);
    }
}
