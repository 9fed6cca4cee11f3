package dev.logitlab.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every string, list and map on the wire has a maximum in its schema, and those maxima keep every event a service
 * derives from another (a shard from a checkpoint, an outcome from a shard, a failure from either) inside one Kafka
 * record, whatever a producer writes: a schema-valid event can never be a record the next service cannot send.
 */
class SchemaBoundsTest {

    /** The producer's and broker's default record limit, less room for the CloudEvents headers. */
    static final long RECORD_BYTES = 1_048_576 - 64 * 1024;
    /** Bytes one character of a string can take in the JSON Jackson writes: a control character is \\u0000. */
    static final int BYTES_PER_CHARACTER = 6;

    static final List<String> FILES = List.of("attack-event.v2.json", "attack-task.v1.json", "checkpoint-created.v1.json",
            "checkpoint-created.v2.json", "evaluation-report.v1.json", "report-failed.v1.json",
            "report-progress.v1.json", "report-published.v1.json", "run-event.v1.json", "run-spec.v1.json",
            "verdict.v1.json", "verdict.v2.json");
    static final ObjectMapper JSON = new ObjectMapper();
    /** What an unbounded count is taken as: enough to fail any record limit, small enough never to overflow. */
    static final long UNBOUNDED = 1_000_000;

    @Test
    void everyStringListAndMapHasAMaximum() {
        List<String> unbounded = new ArrayList<>();
        for (String file : FILES) {
            unbounded(schema(file), file + "#", unbounded);
        }
        assertEquals(List.of(), unbounded);
    }

    /** The events a producer outside the services can write, and every event derived from one, fit in a record. */
    @Test
    void everyEventButTheReportFitsInOneRecordByItsSchemaAlone() {
        for (String file : FILES) {
            if (file.startsWith("evaluation-report") || file.startsWith("report-published")) {
                continue; // its per-example strings scale with the plan: checked when it is made (ReportWork)
            }
            long bound = maxBytes(file, schema(file));
            assertTrue(bound <= RECORD_BYTES, file + " can be " + bound + " bytes");
        }
    }

    @Test
    void theBoundIsWorkedOutAsJacksonWritesTheWorstCase() {
        JsonNode schema = read("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"maxLength\":3},"
                + "\"b\":{\"type\":\"array\",\"maxItems\":2,\"items\":{\"enum\":[\"x\",\"yy\"]}}}}");
        String worst = "{\"a\":\"\\u0000\\u0000\\u0000\",\"b\":[\"yy\",\"yy\"]}"; // 42 bytes
        assertEquals(42, worst.length());
        assertEquals(44, maxBytes("inline", schema)); // one comma more per member, counted as if each had one
    }

    /** Appends where a schema lets a string, list or map grow without end (allOf's refinements restate bounded ones). */
    private static void unbounded(JsonNode node, String at, List<String> found) {
        if (!node.isObject()) {
            return;
        }
        List<String> types = types(node);
        if (types.contains("string") && !(node.has("maxLength") || node.has("enum") || node.has("const"))) {
            found.add(at + " string");
        }
        if (types.contains("array") && !node.has("maxItems")) {
            found.add(at + " array");
        }
        if (types.contains("object") && !node.path("additionalProperties").isBoolean()
                && !(node.has("maxProperties") && node.path("propertyNames").has("maxLength")
                && node.path("additionalProperties").isObject())) {
            found.add(at + " map"); // a map's values need a schema too, or they are any JSON of any size
        }
        node.fields().forEachRemaining(e -> {
            switch (e.getKey()) {
                case "properties", "$defs" -> e.getValue().fields().forEachRemaining(p ->
                        unbounded(p.getValue(), at + "/" + p.getKey(), found));
                case "items", "additionalProperties" -> unbounded(e.getValue(), at + "/" + e.getKey(), found);
                case "oneOf", "anyOf" -> e.getValue().forEach(branch -> unbounded(branch, at + "/" + e.getKey(), found));
                default -> { }
            }
        });
    }

    /** An upper bound of the bytes of any JSON valid under {@code node}, read from its maxima. */
    static long maxBytes(String file, JsonNode node) {
        if (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            int hash = ref.indexOf('#');
            String target = hash == 0 ? file : hash < 0 ? ref : ref.substring(0, hash);
            JsonNode root = schema(target);
            return maxBytes(target, hash < 0 ? root : root.at(ref.substring(hash + 1)));
        }
        if (node.has("const")) {
            return node.get("const").toString().length();
        }
        if (node.has("enum")) {
            long longest = 0;
            for (JsonNode value : node.get("enum")) {
                longest = Math.max(longest, value.toString().length());
            }
            return longest;
        }
        long most = 4; // null
        for (String branches : List.of("oneOf", "anyOf")) {
            for (JsonNode branch : node.path(branches)) {
                most = Math.max(most, maxBytes(file, branch));
            }
        }
        for (String type : types(node)) {
            most = Math.max(most, switch (type) {
                case "string" -> 2 + BYTES_PER_CHARACTER * node.path("maxLength").asLong(UNBOUNDED);
                case "number", "integer" -> 25;
                case "boolean" -> 5;
                case "array" -> 2 + node.path("maxItems").asLong(UNBOUNDED)
                        * (1 + maxBytes(file, node.path("items")));
                case "object" -> objectBytes(file, node);
                default -> 4;
            });
        }
        if (types(node).isEmpty() && node.has("properties")) {
            most = Math.max(most, objectBytes(file, node));
        }
        return most;
    }

    private static long objectBytes(String file, JsonNode node) {
        long bytes = 2;
        for (Map.Entry<String, JsonNode> p : (Iterable<Map.Entry<String, JsonNode>>) node.path("properties")::fields) {
            bytes += p.getKey().length() + 4 + maxBytes(file, p.getValue());
        }
        JsonNode more = node.path("additionalProperties");
        if (more.isObject()) {
            long key = 2 + BYTES_PER_CHARACTER * node.path("propertyNames").path("maxLength").asLong(UNBOUNDED);
            bytes += node.path("maxProperties").asLong(UNBOUNDED) * (key + 2 + maxBytes(file, more));
        }
        return bytes;
    }

    private static List<String> types(JsonNode node) {
        JsonNode type = node.path("type");
        List<String> types = new ArrayList<>();
        if (type.isTextual()) {
            types.add(type.asText());
        }
        type.forEach(t -> types.add(t.asText()));
        return types;
    }

    private static JsonNode schema(String file) {
        try (InputStream in = SchemaBoundsTest.class.getClassLoader().getResourceAsStream(EventSchemas.RESOURCES + file)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
