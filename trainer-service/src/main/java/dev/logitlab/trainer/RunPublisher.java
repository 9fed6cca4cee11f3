package dev.logitlab.trainer;

import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.RunEvent;
import dev.logitlab.events.Topics;
import dev.logitlab.service.CloudEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** Publishes run events and checkpoint events, keyed by runId, as binary-mode CloudEvents. */
@ApplicationScoped
public class RunPublisher {

    @Inject
    @Channel("runs")
    Emitter<RunEvent> runs;

    @Inject
    @Channel("checkpoints")
    Emitter<CheckpointCreated> checkpoints;

    public void run(RunEvent event) {
        runs.send(CloudEvents.message(event, "trainer-service", event.runId(), event.type(), event.runId()));
    }

    void checkpoint(CheckpointCreated event) {
        checkpoints.send(CloudEvents.message(event, "trainer-service", event.runId(), Topics.CHECKPOINT_CREATED,
                event.checkpointId()));
    }
}
