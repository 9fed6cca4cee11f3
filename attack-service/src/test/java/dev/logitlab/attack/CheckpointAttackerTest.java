package dev.logitlab.attack;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.RunSpec;
import dev.logitlab.service.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The attack service against a real in-JVM KRaft broker and a real checkpoint of a tiny trained model. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class CheckpointAttackerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final RunSpec.Evaluation PLAN = new RunSpec.Evaluation(List.of(0.1), "fgsm,pgd:steps=3,noise:draws=2", 50, 0);

    @Test
    void aCheckpointEventIsAnsweredWithItsAttackResults() throws Exception {
        CheckpointCreated event = trainedCheckpoint("run-a", 1);
        KafkaCompanion kafka = KafkaBrokerResource.companion();
        produce(kafka, event.runId(), JSON.writeValueAsString(event));

        ConsumerRecord<String, String> record = resultsFor(kafka, event.checkpointId(), 1).get(0);
        assertEquals("dev.logitlab.attack.completed.v1", KafkaBrokerResource.header(record, "ce_type"));
        JsonNode result = JSON.readTree(record.value());
        assertEquals(List.of(), EventSchemas.violations(AttackEvent.class, result));
        assertEquals(3, result.get("results").get("attacks").size());
        assertEquals(50, result.get("results").get("examples").asInt());
        assertTrue(result.get("results").get("sweep").size() >= 3, "the masking checks' PGD sweep is included");

        given().get("/api/evaluations/" + event.checkpointId())
                .then().statusCode(200).body("[0].kind", equalTo("completed"));
        given().get("/api/evaluations/run-x/epoch-009").then().statusCode(404).contentType("application/problem+json");
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", org.hamcrest.Matchers.hasItem("checkpoint-store"));
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("logitlab_checkpoints_processed_total"))
                .body(org.hamcrest.Matchers.containsString("logitlab_attack_seconds"));
    }

    @Test
    void poisonGoesToTheDeadLetterTopicDuplicatesAreIgnoredAndConsumptionGoesOn() throws Exception {
        CheckpointCreated first = trainedCheckpoint("run-b", 1);
        CheckpointCreated second = trainedCheckpoint("run-c", 1);
        KafkaCompanion kafka = KafkaBrokerResource.companion();
        produce(kafka, first.runId(), JSON.writeValueAsString(first));
        produce(kafka, first.runId(), JSON.writeValueAsString(first)); // redelivered
        produce(kafka, "poison", "{not a checkpoint event");
        produce(kafka, "poison", "{\"schemaVersion\":1,\"runId\":\"r\"}");
        produce(kafka, second.runId(), JSON.writeValueAsString(second));

        assertEquals(1, resultsFor(kafka, second.checkpointId(), 1).size(), "the record after the poison is processed");
        var dead = kafka.consumeStrings().fromTopics("logitlab.dlq.attack-service", 2).awaitCompletion(Duration.ofSeconds(30));
        for (ConsumerRecord<String, String> r : dead.getRecords()) {
            assertEquals("poison", r.key());
            assertTrue(KafkaBrokerResource.header(r, "dead-letter-reason") != null && !KafkaBrokerResource.header(r, "dead-letter-reason").isBlank());
        }
        List<ConsumerRecord<String, String>> firstResults = kafka.consumeStrings()
                .fromTopics("logitlab.attack-results", Duration.ofSeconds(3)).awaitCompletion().getRecords().stream()
                .filter(r -> r.key().equals(first.checkpointId())).toList();
        assertEquals(1, firstResults.size(), "a redelivered checkpoint event gives no second result");
    }

    @Test
    void aCheckpointWhoseShaDoesNotMatchIsRefusedWithAnEvent() throws Exception {
        CheckpointCreated good = trainedCheckpoint("run-d", 1);
        CheckpointCreated tampered = new CheckpointCreated(1, good.runId(), good.checkpointId(), good.epoch(), good.uri(),
                "0".repeat(64), good.configHash(), good.seed(), good.dataset(), good.model(), good.defense(),
                good.evaluation(), good.metrics());
        KafkaCompanion kafka = KafkaBrokerResource.companion();
        produce(kafka, good.runId(), JSON.writeValueAsString(tampered));

        ConsumerRecord<String, String> record = resultsFor(kafka, good.checkpointId(), 1).get(0);
        JsonNode failed = JSON.readTree(record.value());
        assertEquals("failed", failed.get("kind").asText());
        assertEquals("dev.logitlab.attack.failed.v1", KafkaBrokerResource.header(record, "ce_type"));
        assertTrue(failed.get("reason").asText().contains("SHA-256"), failed.get("reason").asText());
        assertEquals(List.of(), EventSchemas.violations(AttackEvent.class, failed));
    }

    /** Trains a linear model on the synthetic data for one epoch into the store and describes it as an event. */
    static CheckpointCreated trainedCheckpoint(String runId, int epochs) {
        TrainingConfig config = new TrainingConfig("synthetic", "linear", "plain", epochs, 500, 100, 50, 0.01, "adam", 1);
        Checkpoint c = new Training(config, runId, KafkaBrokerResource.store.resolve("runs").resolve(runId), null)
                .run(Datasets.load("synthetic", null)).lastCheckpoint();
        return new CheckpointCreated(1, runId, c.manifest().checkpointId(), c.manifest().epoch(),
                "file:runs/" + runId + "/" + c.directory().getFileName(), c.manifest().parameters().sha256(),
                c.manifest().configHash(), 1, "synthetic", "linear", "plain", PLAN, null);
    }

    private static void produce(KafkaCompanion kafka, String key, String value) {
        kafka.produceStrings().fromRecords(new ProducerRecord<>("logitlab.checkpoints", key, value))
                .awaitCompletion(Duration.ofSeconds(10));
    }

    private static List<ConsumerRecord<String, String>> resultsFor(KafkaCompanion kafka, String checkpointId, int n) {
        List<ConsumerRecord<String, String>> found = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (found.size() < n && System.nanoTime() < deadline) {
            found = kafka.consumeStrings().fromTopics("logitlab.attack-results", Duration.ofSeconds(2)).awaitCompletion()
                    .getRecords().stream().filter(r -> checkpointId.equals(r.key())).toList();
        }
        assertEquals(n, found.size(), "results for " + checkpointId);
        return found;
    }

}
