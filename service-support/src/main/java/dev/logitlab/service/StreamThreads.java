package dev.logitlab.service;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * What happens to a stream thread that hit an unexpected error (a broker gone mid-transaction): it is replaced, not
 * lost. Each topology produces this handler for Quarkus (a producer here would be a bean in the trainer too, which
 * has no Kafka Streams).
 */
public final class StreamThreads {

    public static final StreamsUncaughtExceptionHandler REPLACE =
            error -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;

    private StreamThreads() {
    }
}
