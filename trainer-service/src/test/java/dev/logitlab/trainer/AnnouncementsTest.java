package dev.logitlab.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.Roles;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Topics;
import dev.logitlab.service.KafkaBrokerResource;
import dev.logitlab.service.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Announcements from producers outside the services, on a real in-JVM broker: a claim a producer may make becomes a
 * checkpoint on logitlab.checkpoints, filed as an upload is; every other one is a dead letter naming why, and nothing
 * of another run changes.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class AnnouncementsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final RunSpec.Evaluation PLAN = new RunSpec.Evaluation(List.of(0.1), "fgsm", 20, 0);

    @Test
    void aProducerMayAnnounceOnlyForItsOwnRunsWithItsOwnTokenAndTheAnnouncedBytes() throws Exception {
        byte[] model = Files.readAllBytes(CheckpointUploadTest.FIXTURES.resolve("tiny_cnn.pt"));
        String alice = TestTokens.of("alice", Roles.SUBMITTER);
        String mallory = TestTokens.of("mallory", Roles.SUBMITTER);

        announce(event("alice~kafka", 1, inbox("a1.pt", model), Sha256.of(model)), alice);
        JsonNode created = checkpointsOf("alice~kafka", 1).get(0);
        assertEquals("alice~kafka/step-000001", created.get("checkpointId").asText());
        assertEquals("file:external/alice~kafka/1/model.pt", created.get("uri").asText(), "filed as an upload is");
        assertEquals(Sha256.of(model), created.get("sha256").asText());
        assertTrue(Files.notExists(KafkaBrokerResource.store.resolve("inbox/a1.pt")), "taken out of the inbox");

        Map<String, ProducerRecord<String, String>> refused = new LinkedHashMap<>();
        refused.put("namespace of subject alice", record(event("alice~kafka", 2, inbox("m2.pt", model),
                Sha256.of(model)), mallory));
        refused.put("carries its producer's token", record(event("alice~kafka", 3, inbox("m3.pt", model),
                Sha256.of(model)), null));
        refused.put("not valid here", record(event("alice~kafka", 4, inbox("m4.pt", model), Sha256.of(model)),
                TestTokens.expired(Roles.SUBMITTER)));
        refused.put("not a submitter's", record(event("alice~kafka", 5, inbox("m5.pt", model), Sha256.of(model)),
                TestTokens.of("vera", Roles.VIEWER)));
        refused.put("does not have the announced SHA-256", record(event("alice~kafka", 6, inbox("a6.pt", model),
                "0".repeat(64)), alice));
        refused.put("under the store's inbox/", record(event("alice~kafka", 7, "file:external/alice~kafka/1/model.pt",
                Sha256.of(model)), alice));
        refused.values().forEach(r -> KafkaBrokerResource.companion().produceStrings().fromRecords(r)
                .awaitCompletion(Duration.ofSeconds(10)));

        List<ConsumerRecord<String, String>> dead = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (dead.size() < refused.size() && System.nanoTime() < deadline) {
            dead = KafkaBrokerResource.committed("logitlab.dlq.trainer-service", Duration.ofSeconds(2));
        }
        assertEquals(refused.size(), dead.size());
        List<String> reasons = dead.stream().map(r -> KafkaBrokerResource.header(r, "dead-letter-reason")).toList();
        for (String why : refused.keySet()) {
            assertTrue(reasons.stream().anyMatch(r -> r.contains(why)), why + " in " + reasons);
        }
        for (ConsumerRecord<String, String> r : dead) {
            assertNull(r.headers().lastHeader(Topics.CLAIM_HEADER), "a dead letter never carries the producer's token");
            assertEquals(Topics.ANNOUNCEMENTS, KafkaBrokerResource.header(r, "dead-letter-topic"));
        }
        assertEquals(1, KafkaBrokerResource.committed("logitlab.checkpoints", Duration.ofSeconds(2)).stream()
                .filter(r -> r.key().equals("alice~kafka")).count(), "alice's run has her one checkpoint, no other");
        assertTrue(Files.notExists(KafkaBrokerResource.store.resolve("external/alice~kafka/2")));
    }

    private static String inbox(String name, byte[] bytes) throws Exception {
        Path file = KafkaBrokerResource.store.resolve(Announcements.INBOX).resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        return "file:" + Announcements.INBOX + name;
    }

    private static CheckpointCreated event(String runId, int step, String uri, String sha256) {
        return new CheckpointCreated(CheckpointCreated.SCHEMA_VERSION, runId, String.format("%s/step-%06d", runId, step),
                step, uri, sha256, "c".repeat(64), 3, "fashion-mnist", "torchscript", "pytorch tiny-cnn", PLAN, null,
                CheckpointCreated.TORCHSCRIPT, CheckpointCreated.TEST_SPLIT);
    }

    private static ProducerRecord<String, String> record(CheckpointCreated event, String token) throws Exception {
        ProducerRecord<String, String> record = new ProducerRecord<>(Topics.ANNOUNCEMENTS, event.runId(),
                JSON.writeValueAsString(event));
        if (token != null) {
            record.headers().add(Topics.CLAIM_HEADER, token.getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    private static void announce(CheckpointCreated event, String token) throws Exception {
        KafkaBrokerResource.companion().produceStrings().fromRecords(record(event, token))
                .awaitCompletion(Duration.ofSeconds(10));
    }

    private static List<JsonNode> checkpointsOf(String runId, int n) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (found.size() < n && System.nanoTime() < deadline) {
            found.clear();
            for (ConsumerRecord<String, String> r : KafkaBrokerResource.committed("logitlab.checkpoints",
                    Duration.ofSeconds(2))) {
                if (runId.equals(r.key())) {
                    found.add(JSON.readTree(r.value()));
                }
            }
        }
        assertEquals(n, found.size(), "checkpoints of " + runId);
        return found;
    }
}
