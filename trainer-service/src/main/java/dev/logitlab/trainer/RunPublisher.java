package dev.logitlab.trainer;

import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.RunEvent;
import dev.logitlab.events.Topics;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Publishes run events and checkpoint events, keyed by runId, as binary-mode CloudEvents. */
@ApplicationScoped
public class RunPublisher {

    private static final URI SOURCE = URI.create(Topics.SOURCE_PREFIX + "trainer-service");

    @Inject
    @Channel("runs")
    Emitter<RunEvent> runs;

    @Inject
    @Channel("checkpoints")
    Emitter<CheckpointCreated> checkpoints;

    void run(RunEvent event) {
        runs.send(message(event, event.runId(), event.type(), event.runId()));
    }

    void checkpoint(CheckpointCreated event) {
        checkpoints.send(message(event, event.runId(), Topics.CHECKPOINT_CREATED, event.checkpointId()));
    }

    private static <T> Message<T> message(T payload, String key, String type, String subject) {
        return Message.of(payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build())
                .addMetadata(OutgoingCloudEventMetadata.builder()
                        .withId(UUID.randomUUID().toString())
                        .withSource(SOURCE)
                        .withType(type)
                        .withSubject(subject)
                        .build());
    }
}
