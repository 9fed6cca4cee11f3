package dev.logitlab.analysis;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.evaluation.AttackPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.ReportPublished;
import dev.logitlab.events.RunSpec;
import dev.logitlab.service.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The analysis service against a real in-JVM KRaft broker, a trained checkpoint and real attack results. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class ReportBuilderTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final RunSpec.Evaluation PLAN = new RunSpec.Evaluation(List.of(0.1), "fgsm,pgd:steps=3,noise:draws=2", 40, 10);

    @Test
    void aCheckpointAndItsAttackResultsBecomeAPublishedReport() throws Exception {
        Fixture f = fixture("run-r1");
        produce("logitlab.checkpoints", f.checkpoint.runId(), JSON.writeValueAsString(f.checkpoint));
        produce("logitlab.attack-results", f.checkpoint.checkpointId(), JSON.writeValueAsString(f.attacks));

        ConsumerRecord<String, String> record = reportFor(f.checkpoint.checkpointId());
        assertEquals("dev.logitlab.report.published.v1", KafkaBrokerResource.header(record, "ce_type"));
        JsonNode report = JSON.readTree(record.value());
        assertEquals(List.of(), EventSchemas.violations(ReportPublished.class, report));
        assertEquals(9, report.get("report").get("masking").get("checks").size());
        assertTrue(report.get("report").get("gaps").get("examples").asInt() > 0, "gap statistics were measured");
        assertEquals(f.attacks.results().worstCase().get(0).robustAccuracy(),
                report.get("report").get("worstCase").get(0).get("robustAccuracy").asDouble());

        given().get("/api/reports/" + f.checkpoint.checkpointId()).then().statusCode(200)
                .body("report.schema", equalTo("logitlab.evaluation/v1"));
        given().get("/api/runs/run-r1/reports").then().statusCode(200).body("[0].epoch", equalTo(1));
        given().get("/api/reports").then().statusCode(200).body("checkpointId", hasItem(f.checkpoint.checkpointId()));
        given().get("/api/reports/nope/epoch-001").then().statusCode(404).contentType("application/problem+json");
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("logitlab_reports_published_total"))
                .body(org.hamcrest.Matchers.containsString("logitlab_robust_accuracy{"));
    }

    @Test
    void attackResultsThatArriveBeforeTheirCheckpointWaitForIt() throws Exception {
        Fixture f = fixture("run-r2");
        produce("logitlab.attack-results", f.checkpoint.checkpointId(), JSON.writeValueAsString(f.attacks));
        produce("logitlab.attack-results", "poison", "[1, 2, 3]");
        produce("logitlab.checkpoints", "poison", "{\"schemaVersion\":2}");
        produce("logitlab.checkpoints", f.checkpoint.runId(), JSON.writeValueAsString(f.checkpoint));

        reportFor(f.checkpoint.checkpointId());
        var dead = kafka().consumeStrings().fromTopics("logitlab.dlq.analysis-service", 2)
                .awaitCompletion(Duration.ofSeconds(30));
        dead.getRecords().forEach(r -> assertTrue(KafkaBrokerResource.header(r, "dead-letter-reason") != null, "the reason travels along"));
    }

    @jakarta.inject.Inject
    ReportStore reportStore;

    @Test
    void reportsOnDiskAreServedAgainAfterARestart() throws Exception {
        Fixture f = fixture("run-r3");
        ReportPublished old = new ReportPublished(1, "run-old", "run-old/epoch-003", 3, f.checkpoint.configHash(), 1,
                "plain", JSON.readValue(JSON.writeValueAsString(sampleReport(f)), dev.logitlab.events.EvaluationReport.class));
        java.nio.file.Path dir = KafkaBrokerResource.store.resolve("analysis/reports");
        java.nio.file.Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("run-old~epoch-003.json").toFile(), old);

        reportStore.load(null); // what startup does
        given().get("/api/reports/run-old/epoch-003").then().statusCode(200).body("epoch", equalTo(3));
        given().get("/api/runs/run-old/reports").then().statusCode(200).body("size()", equalTo(1));
    }

    /** A report as the analysis phase writes it, for a checkpoint this test never publishes. */
    private static dev.logitlab.events.EvaluationReport sampleReport(Fixture f) {
        try (Classifier model = Classifiers.open(KafkaBrokerResource.store.resolve(f.checkpoint.uri().substring(5)))) {
            return new dev.logitlab.core.evaluation.AnalysisPhase(model, Datasets.load("synthetic", null).test(),
                    new EvaluationPlan(PLAN.eps(), PLAN.attacks(), PLAN.limit(), 1, 0)).run(f.attacks.results(), null);
        }
    }

    private record Fixture(CheckpointCreated checkpoint, AttackEvent attacks) {
    }

    /** Trains a tiny model into the store and attacks it here, as the trainer and the attack service would. */
    private static Fixture fixture(String runId) {
        TrainingConfig config = new TrainingConfig("synthetic", "linear", "plain", 1, 500, 100, 50, 0.01, "adam", 1);
        Checkpoint c = new Training(config, runId, KafkaBrokerResource.store.resolve("runs").resolve(runId), null)
                .run(Datasets.load("synthetic", null)).lastCheckpoint();
        CheckpointCreated checkpoint = new CheckpointCreated(1, runId, c.manifest().checkpointId(), 1,
                "file:runs/" + runId + "/" + c.directory().getFileName(), c.manifest().parameters().sha256(),
                c.manifest().configHash(), 1, "synthetic", "linear", "plain", PLAN, null);
        AttackResults results;
        try (Classifier model = Classifiers.open(c.directory())) {
            results = new AttackPhase(model, Datasets.load("synthetic", null).test(),
                    new EvaluationPlan(PLAN.eps(), PLAN.attacks(), PLAN.limit(), 1, PLAN.gapLimit()), null)
                    .run(checkpoint.checkpointId(), null);
        }
        return new Fixture(checkpoint, AttackEvent.completed(checkpoint, "b".repeat(64), results));
    }

    static KafkaCompanion kafka() {
        return KafkaBrokerResource.companion();
    }

    private static void produce(String topic, String key, String value) {
        kafka().produceStrings().fromRecords(new ProducerRecord<>(topic, key, value)).awaitCompletion(Duration.ofSeconds(10));
    }

    private static ConsumerRecord<String, String> reportFor(String checkpointId) {
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (found.isEmpty() && System.nanoTime() < deadline) {
            found = kafka().consumeStrings().fromTopics("logitlab.reports", Duration.ofSeconds(2)).awaitCompletion()
                    .getRecords().stream().filter(r -> checkpointId.equals(r.key())).toList();
        }
        assertEquals(1, found.size(), "one report for " + checkpointId);
        return found.get(0);
    }

}
