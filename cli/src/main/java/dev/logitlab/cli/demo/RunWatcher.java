package dev.logitlab.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.RunEvent;
import dev.logitlab.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows {@code logitlab.runs} (the latest progress and state of each run) and {@code logitlab.reports} (which
 * checkpoints have a published report, read from the record's key and CloudEvents type alone): the demo's progress
 * display, without fetching every report again each second.
 */
final class RunWatcher implements AutoCloseable {

    /** The latest progress (may be null) and whether the run completed or failed (with the reason). */
    record State(RunEvent.Progress progress, String kind, String reason) {
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Set<String> published = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean running = true;

    RunWatcher(Properties kafka) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "lab-demo-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        ObjectMapper json = new ObjectMapper();
        thread = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of(Topics.RUNS, Topics.REPORTS));
                while (running) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        if (record.topic().equals(Topics.REPORTS)) {
                            Header type = record.headers().lastHeader("ce_type");
                            if (record.key() != null && type != null && Topics.REPORT_PUBLISHED.equals(
                                    new String(type.value(), StandardCharsets.UTF_8))) {
                                published.add(record.key());
                            }
                            continue;
                        }
                        try {
                            RunEvent event = json.readValue(record.value(), RunEvent.class);
                            states.compute(event.runId(), (id, old) -> merge(old, event));
                        } catch (Exception e) {
                            // Not ours to judge: a record we cannot read is the producer's problem.
                        }
                    }
                }
            }
        }, "run-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Keeps the newest progress; once completed or failed, a run stays so. */
    private static State merge(State old, RunEvent event) {
        RunEvent.Progress progress = event.progress() != null ? event.progress() : old == null ? null : old.progress();
        boolean ended = old != null && (old.kind().equals("completed") || old.kind().equals("failed"));
        String reason = event.reason() != null ? event.reason() : old == null ? null : old.reason();
        return new State(progress, ended ? old.kind() : event.kind(), reason);
    }

    State state(String runId) {
        return states.get(runId);
    }

    /** How many of the run's checkpoints have a published report (checkpoint ids are {@code runId/epoch-NNN}). */
    int published(String runId) {
        return (int) published.stream().filter(id -> id.startsWith(runId + "/")).count();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
