package dev.logitlab.trainer;

import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.RunEvent;
import dev.logitlab.events.Topics;
import dev.logitlab.service.CloudEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/**
 * Publishes run events and checkpoint events, keyed by runId, as binary-mode CloudEvents with ids derived from
 * what they announce. A checkpoint announcement returns only once the broker has it (acks=all, idempotent
 * producer); while the broker is away it is sent again until it is acknowledged or the run is cancelled.
 */
@ApplicationScoped
public class RunPublisher {

    private static final Logger LOG = Logger.getLogger(RunPublisher.class);
    private static final long ACK_TIMEOUT_SECONDS = 150;

    @Inject
    @Channel("runs")
    Emitter<RunEvent> runs;

    @Inject
    @Channel("checkpoints")
    Emitter<CheckpointCreated> checkpoints;

    public void run(RunEvent event) {
        String idSubject = event.runId() + (event.progress() == null ? ""
                : "@" + event.progress().epoch() + "/" + event.progress().batch());
        runs.send(CloudEvents.message(event, "trainer-service", event.runId(), event.type(), event.runId(), idSubject)
                .message());
    }

    /** Sends until the broker acknowledged; false when {@code cancelled} said stop first. */
    boolean checkpoint(CheckpointCreated event, BooleanSupplier cancelled) {
        for (int attempt = 1; ; attempt++) {
            var sent = CloudEvents.message(event, "trainer-service", event.runId(), Topics.CHECKPOINT_CREATED,
                    event.checkpointId(), event.checkpointId());
            try {
                checkpoints.send(sent.message());
                sent.acknowledged().get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.warnf("checkpoint %s not acknowledged (attempt %d): %s", event.checkpointId(), attempt, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (cancelled.getAsBoolean()) {
                return false;
            }
        }
    }
}
