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

    static List<Judged> ofRun(ReadOnlyKeyValueStore<String, String> store, ObjectMapper json, String runId) {
        return all(store, json).stream().filter(j -> j.runId().equals(runId)).toList();
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
