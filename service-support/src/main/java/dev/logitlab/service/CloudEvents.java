package dev.logitlab.service;

import dev.logitlab.events.Topics;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * A Kafka message with its key and binary-mode CloudEvents attributes (type, source, subject, the dataschema of its
 * payload, and an id derived from {@code idSubject}, so a resent event keeps its id), and a future completed when the broker acknowledged it.
 */
public final class CloudEvents {

    private CloudEvents() {
    }

    /** The message to send and the broker's acknowledgement of it. */
    public record Sent<T>(Message<T> message, CompletableFuture<Void> acknowledged) {
    }

    public static <T> Sent<T> message(T payload, String service, String key, String type, String subject,
                                      String idSubject) {
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        Message<T> message = Message.of(payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build())
                .addMetadata(OutgoingCloudEventMetadata.builder()
                        .withId(Topics.eventId(type, idSubject))
                        .withSource(URI.create(Topics.SOURCE_PREFIX + service))
                        .withType(type)
                        .withSubject(subject)
                        .withDataSchema(DataSchemas.of(payload.getClass()))
                        .build())
                .withAck(() -> {
                    acknowledged.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acknowledged.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                });
        return new Sent<>(message, acknowledged);
    }
}
