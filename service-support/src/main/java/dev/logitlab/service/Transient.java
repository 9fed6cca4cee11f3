package dev.logitlab.service;

import java.io.UncheckedIOException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Retries work that failed for a reason that may pass (an I/O error, a checkpoint not yet visible on a shared
 * volume) with exponential backoff; anything else, or the last failure, propagates as it is. Bounded, so a record
 * that keeps failing becomes a {@code *.failed} event instead of stalling its partition.
 */
public final class Transient {

    private static final Logger LOG = Logger.getLogger(Transient.class);

    /** A failure worth retrying that is not an I/O error. */
    public static final class TransientException extends RuntimeException {
        public TransientException(String message) {
            super(message);
        }
    }

    private Transient() {
    }

    /** Runs {@code work} up to {@code attempts} times, sleeping 0.5 s, 1 s, 2 s, … between tries. */
    public static <T> T retry(String what, int attempts, Supplier<T> work) {
        long backoff = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (UncheckedIOException | TransientException e) {
                if (attempt >= attempts) {
                    throw new IllegalStateException(what + " failed " + attempts + " times: " + e.getMessage(), e);
                }
                LOG.warnf("%s failed (attempt %d of %d), retrying in %d ms: %s", what, attempt, attempts, backoff,
                        e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoff *= 2;
            }
        }
    }
}
