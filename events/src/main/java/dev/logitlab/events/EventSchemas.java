package dev.logitlab.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schema of every event and a validator, so producers and contract tests check payloads against the
 * published contract, not against the code that wrote them. The schemas sit where Quarkus serves static files
 * ({@value #RESOURCES}), so every service publishes them at {@code /schemas/<file>}, the URL each event's CloudEvents
 * {@code dataschema} names.
 */
public final class EventSchemas {

    static final String RESOURCES = "META-INF/resources/schemas/";

    private static final Map<Class<?>, String> SCHEMAS = Map.of(
            RunEvent.class, "run-event.v1.json",
            CheckpointCreated.class, "checkpoint-created.v2.json",
            AttackTask.class, "attack-task.v1.json",
            AttackEvent.class, "attack-event.v2.json",
            ReportPublished.class, "report-published.v1.json",
            ReportFailed.class, "report-failed.v1.json",
            ReportProgress.class, "report-progress.v1.json",
            EvaluationReport.class, "evaluation-report.v1.json",
            RunSpec.class, "run-spec.v1.json",
            Verdict.class, "verdict.v2.json");

    /** Older schema versions still read, by class and {@code schemaVersion}; events are written in the newest. */
    private static final Map<Class<?>, Map<Integer, String>> OLDER = Map.of(
            CheckpointCreated.class, Map.of(1, "checkpoint-created.v1.json"),
            Verdict.class, Map.of(1, "verdict.v1.json"));

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Map<String, JsonSchema> LOADED = new ConcurrentHashMap<>();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EventSchemas() {
    }

    /** The schema file of an event class. */
    public static String schemaOf(Class<?> event) {
        String schema = SCHEMAS.get(event);
        if (schema == null) {
            throw new IllegalArgumentException("no schema for " + event.getName());
        }
        return schema;
    }

    /**
     * Violations of an event's JSON against its class's schema (an older version's when its {@code schemaVersion}
     * names one this reader still reads); empty when valid.
     */
    public static List<String> violations(Class<?> event, JsonNode json) {
        String file = OLDER.getOrDefault(event, Map.of()).getOrDefault(json.path("schemaVersion").asInt(-1),
                schemaOf(event));
        JsonSchema schema = LOADED.computeIfAbsent(file,
                name -> FACTORY.getSchema(SchemaLocation.of("classpath:" + RESOURCES + name)));
        Set<ValidationMessage> messages = schema.validate(json);
        return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    /**
     * Whether this JSON is an older version of its event: read, then held to the newest schema too (so that an old
     * version is never a way around a newer version's rules).
     */
    public static boolean older(Class<?> event, JsonNode json) {
        return OLDER.getOrDefault(event, Map.of()).containsKey(json.path("schemaVersion").asInt(-1));
    }

    /** Serialises an event and returns its violations; empty when valid. */
    public static List<String> violations(Object event) {
        return violations(event.getClass(), MAPPER.valueToTree(event));
    }
}
