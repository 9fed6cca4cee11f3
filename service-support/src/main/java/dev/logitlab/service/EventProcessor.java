package dev.logitlab.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A Kafka Streams processor of one event type: every record is read against the event's published schema, and
 * what is not that event goes to the dead-letter sink with its reason before {@link #process(Record, Object)} sees
 * anything. What the services' processors share, so each holds only what it does with a valid event.
 */
public abstract class EventProcessor<T> implements Processor<String, String, String, String> {

    protected final ObjectMapper json;
    protected final MeterRegistry metrics;
    private final Class<T> type;
    private final String deadLetters;
    protected ProcessorContext<String, String> context;

    protected EventProcessor(Class<T> type, String deadLetters, ObjectMapper json, MeterRegistry metrics) {
        this.type = type;
        this.deadLetters = deadLetters;
        this.json = json;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
    }

    @Override
    public final void process(Record<String, String> record) {
        Optional<T> event = StreamRecords.readOrDeadLetter(json, record, context, type, deadLetters);
        if (event.isPresent()) {
            process(record, event.get());
        }
    }

    /** Handles a record that is a valid event. */
    protected abstract void process(Record<String, String> record, T event);
}
