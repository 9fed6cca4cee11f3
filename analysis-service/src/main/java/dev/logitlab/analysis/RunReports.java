package dev.logitlab.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.verdict.BestCheckpoint.Judged;
import dev.logitlab.events.EvaluationReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The published reports in a copy of {@code logitlab.reports} (the global store), as core's verdicts take them:
 * every one, a run's, or one checkpoint's. Progress and failed records are not reports; a record that cannot be read
 * is passed over, never fatal.
 */
final class RunReports {

    private RunReports() {
    }

    static List<Judged> all(ReadOnlyKeyValueStore<String, String> store, ObjectMapper json) {
        List<Judged> all = new ArrayList<>();
        try (KeyValueIterator<String, String> records = store.all()) {
            records.forEachRemaining(kv -> read(kv.value, json).ifPresent(all::add));
        }
        return all;
    }

    /**
     * A run's reports: its checkpoint ids start with {@code <runId>/}, so a prefix scan reads only them. This runs in
     * the stream thread for every report (its verdict), where parsing the whole store would grow with it.
     */
    static List<Judged> ofRun(ReadOnlyKeyValueStore<String, String> store, ObjectMapper json, String runId) {
        List<Judged> run = new ArrayList<>();
        try (KeyValueIterator<String, String> records = store.prefixScan(runId + "/",
                new org.apache.kafka.common.serialization.StringSerializer())) {
            records.forEachRemaining(kv -> read(kv.value, json).filter(j -> j.runId().equals(runId)).ifPresent(run::add));
        }
        return run;
    }

    /** A store every replica keeps, for REST: 503 while it is still being loaded from Kafka. */
    static ReadOnlyKeyValueStore<String, String> queryable(org.apache.kafka.streams.KafkaStreams streams, String name) {
        try {
            return streams.store(org.apache.kafka.streams.StoreQueryParameters.fromNameAndType(name,
                    org.apache.kafka.streams.state.QueryableStoreTypes.keyValueStore()));
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            throw new jakarta.ws.rs.ServiceUnavailableException("reports are being loaded from Kafka; try again shortly");
        }
    }

    static Optional<Judged> one(ReadOnlyKeyValueStore<String, String> store, ObjectMapper json, String checkpointId) {
        String value = store.get(checkpointId);
        return value == null ? Optional.empty() : read(value, json);
    }

    static Optional<Judged> read(String value, ObjectMapper json) {
        try {
            JsonNode node = json.readTree(value);
            if (node == null || !node.has("report")) {
                return Optional.empty();
            }
            return Optional.of(new Judged(node.path("runId").asText(), node.path("checkpointId").asText(),
                    node.path("epoch").asInt(), node.path("defense").asText(null),
                    json.treeToValue(node.get("report"), EvaluationReport.class)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
