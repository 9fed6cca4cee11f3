package dev.logitlab.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Records that Kafka Streams processors emit: binary-mode CloudEvents (the same {@code ce_*} headers SmallRye
 * writes, with an id derived from the subject, never random) and dead letters (the same {@code dead-letter-*}
 * headers as SmallRye's dead-letter queue), and the schema check that tells an event from poison.
 */
public final class StreamRecords {

    /** Characters of a reason kept in an event or a header: enough to act on, never enough to fill a record. */
    public static final int REASON_CHARS = 1000;
    /** Bytes of a poison record's value kept in its dead-letter copy: under any broker's max.request.size. */
    public static final int DEAD_LETTER_VALUE_BYTES = 256 * 1024;
    /**
     * Bytes of an event's value a service ever sends: the producer's and broker's default record limit (1 MiB) less
     * room for headers. Events from outside are bounded below it by their schemas; a larger one (a report whose
     * per-example strings grew with its plan) is refused here, before the producer could fail on it and exactly-once
     * replay its input forever.
     */
    public static final int RECORD_BYTES = 1_048_576 - 64 * 1024;
    /** Headers of a poison record kept in its dead-letter copy, each up to {@link #REASON_CHARS} bytes. */
    public static final int DEAD_LETTER_HEADERS = 32;

    private StreamRecords() {
    }

    /** Why something failed, in at most {@link #REASON_CHARS} characters: the message, or the error's name. */
    public static String reason(Throwable error) {
        String text = error.getMessage() == null ? error.toString() : error.getMessage();
        return text.length() <= REASON_CHARS ? text : text.substring(0, REASON_CHARS - 1) + "…";
    }

    /** An event as a record with CloudEvents headers; {@code idSubject} names what makes the event unique. */
    public static Record<String, String> event(ObjectMapper json, String key, Object payload, String service,
                                               String type, String subject, String idSubject, long timestamp) {
        Headers headers = new RecordHeaders();
        add(headers, "ce_specversion", "1.0");
        add(headers, "ce_id", Topics.eventId(type, idSubject));
        add(headers, "ce_source", Topics.SOURCE_PREFIX + service);
        add(headers, "ce_type", type);
        add(headers, "ce_subject", subject);
        add(headers, "ce_dataschema", DataSchemas.of(payload.getClass()).toString());
        add(headers, "ce_time", Instant.ofEpochMilli(timestamp).toString());
        add(headers, "content-type", "application/json");
        String value;
        try {
            value = json.writeValueAsString(payload);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (value.length() > RECORD_BYTES / 4 && value.getBytes(StandardCharsets.UTF_8).length > RECORD_BYTES) {
            throw new IllegalStateException("its " + payload.getClass().getSimpleName() + " would be "
                    + value.getBytes(StandardCharsets.UTF_8).length + " bytes, more than a record holds (" + RECORD_BYTES
                    + "); evaluate fewer examples or attacks");
        }
        return new Record<>(key, value, timestamp, headers);
    }

    /**
     * The record as received, with the reason and where it came from, for {@code logitlab.dlq.<service>}; bounded, so
     * the copy itself always fits on the topic: the value cut at {@link #DEAD_LETTER_VALUE_BYTES} (header
     * {@code dead-letter-truncated}), the first {@link #DEAD_LETTER_HEADERS} small headers kept, the reason capped.
     */
    public static Record<String, String> deadLetter(Record<String, String> record, ProcessorContext<?, ?> context,
                                                    Exception reason) {
        Headers headers = new RecordHeaders();
        int kept = 0;
        for (var header : record.headers()) {
            if (kept < DEAD_LETTER_HEADERS && header.value() != null && header.value().length <= REASON_CHARS
                    && header.key().length() <= 100 && !header.key().startsWith("dead-letter-")) {
                headers.add(header);
                kept++;
            }
        }
        add(headers, "dead-letter-reason", reason(reason));
        add(headers, "dead-letter-cause", reason.getClass().getName());
        String value = deadLetterValue(record.value());
        if (value != null && value.length() < record.value().length()) {
            add(headers, "dead-letter-truncated", Integer.toString(record.value().length()));
        }
        String key = deadLetterKey(record.key());
        context.recordMetadata().ifPresent(m -> {
            add(headers, "dead-letter-topic", m.topic());
            add(headers, "dead-letter-partition", Integer.toString(m.partition()));
            add(headers, "dead-letter-offset", Long.toString(m.offset()));
        });
        return new Record<>(key, value, record.timestamp(), headers);
    }

    /** A poison record's value as its dead-letter copy keeps it: whole, or cut to {@link #DEAD_LETTER_VALUE_BYTES}. */
    public static String deadLetterValue(String value) {
        if (value != null && value.length() > DEAD_LETTER_VALUE_BYTES / 4
                && value.getBytes(StandardCharsets.UTF_8).length > DEAD_LETTER_VALUE_BYTES) {
            return value.substring(0, DEAD_LETTER_VALUE_BYTES / 4); // ≤ 4 bytes a character in UTF-8
        }
        return value;
    }

    /** A poison record's key as its dead-letter copy keeps it: at most {@link #REASON_CHARS} characters. */
    public static String deadLetterKey(String key) {
        return key != null && key.length() > REASON_CHARS ? key.substring(0, REASON_CHARS) : key;
    }

    /**
     * The record's event, or empty after forwarding the record to the dead-letter sink with the reason, when it is
     * not a valid event of that type.
     */
    public static <T> java.util.Optional<T> readOrDeadLetter(ObjectMapper json, Record<String, String> record,
                                                             ProcessorContext<String, String> context, Class<T> type,
                                                             String deadLetterSink) {
        try {
            return java.util.Optional.of(read(json, record.value(), type));
        } catch (IllegalArgumentException e) {
            context.forward(deadLetter(record, context, e), deadLetterSink);
            return java.util.Optional.empty();
        }
    }

    /** Parses an event and checks it against its published schema; anything else is poison. */
    public static <T> T read(ObjectMapper json, String value, Class<T> type) {
        if (value == null) {
            throw new IllegalArgumentException("an empty record is not a " + type.getSimpleName());
        }
        JsonNode node;
        try {
            node = json.readTree(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        List<String> violations = EventSchemas.violations(type, node);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName() + ": " + violations);
        }
        T event;
        try {
            event = json.treeToValue(node, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
        if (EventSchemas.older(type, node)) {
            List<String> asNewest = EventSchemas.violations(event);
            if (!asNewest.isEmpty()) {
                throw new IllegalArgumentException("not a valid " + type.getSimpleName() + " once read as the newest "
                        + "version: " + asNewest);
            }
        }
        return event;
    }

    private static void add(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
