package dev.logitlab.service;

import java.time.Duration;

/**
 * Kafka's rule for work done inside one poll: a consumer that does not poll again within
 * {@code max.poll.interval.ms} leaves its group, and its partitions' work starts over elsewhere. Services whose
 * records carry long work check at start that the longest a poll's work may take stays below it.
 */
public final class PollInterval {

    private PollInterval() {
    }

    /** Refuses to start when {@code work} (named by the settings it comes from) could outlive the poll interval. */
    public static void require(String what, Duration work, long maxPollIntervalMs) {
        if (work.toMillis() >= maxPollIntervalMs) {
            throw new IllegalStateException(what + " (" + work.toSeconds() + " s) must stay below "
                    + "kafka-streams.consumer.max.poll.interval.ms (" + maxPollIntervalMs / 1000 + " s)");
        }
    }
}
