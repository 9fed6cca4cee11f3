package dev.logitlab.trainer;

import dev.logitlab.service.TooManyRequestsException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Submissions per client (the token's subject) in one-minute windows, on this replica: a client over
 * {@link SubmissionLimits#submissionsPerMinute()} gets 429 until the window turns.
 */
@ApplicationScoped
public class SubmissionRate {

    @Inject
    SubmissionLimits limits;

    private record Window(long minute, int count) {
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** Counts a submission of {@code client}, or refuses it when the client is over its rate. */
    public void admit(String client) {
        long now = System.currentTimeMillis();
        long minute = now / 60_000;
        Window w = windows.merge(client, new Window(minute, 1),
                (old, fresh) -> old.minute() == minute ? new Window(minute, old.count() + 1) : fresh);
        if (w.count() > limits.submissionsPerMinute()) {
            throw new TooManyRequestsException(client + " submitted more than " + limits.submissionsPerMinute()
                    + " times this minute (logitlab.limits.submissions-per-minute)", 60 - (now / 1000) % 60);
        }
        windows.entrySet().removeIf(e -> e.getValue().minute() < minute - 1); // forget quiet clients
    }
}
