package dev.logitlab.service;

import dev.logitlab.events.Topics;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.net.URI;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Message;

/** A Kafka message with its key and binary-mode CloudEvents attributes (type, source, subject, id). */
public final class CloudEvents {

    private CloudEvents() {
    }

    public static <T> Message<T> message(T payload, String service, String key, String type, String subject) {
        return Message.of(payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build())
                .addMetadata(OutgoingCloudEventMetadata.builder()
                        .withId(UUID.randomUUID().toString())
                        .withSource(URI.create(Topics.SOURCE_PREFIX + service))
                        .withType(type)
                        .withSubject(subject)
                        .build());
    }
}
