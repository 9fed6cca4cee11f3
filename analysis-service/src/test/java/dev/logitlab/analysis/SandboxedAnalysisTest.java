package dev.logitlab.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.evaluation.AttackPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.AttackTask;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.ShardOutcome;
import dev.logitlab.events.Topics;
import dev.logitlab.service.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The analysis of a model from outside runs in its sandboxed worker too: a model whose worker dies whenever the
 * analysis runs it is tried the configured number of times, then its report fails once, naming why in our words,
 * and the service goes on.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class SandboxedAnalysisTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final RunSpec.Evaluation PLAN = new RunSpec.Evaluation(List.of(0.1), "fgsm", 20, 0);
    static final String HASH = "c".repeat(64);

    @Test
    void anAnalysisWhoseWorkerDiesIsTriedAgainThenFailsOnceNamingWhy() throws Exception {
        // aborts.pt answers the 4-image arrival check, then traps (SIGFPE) on any other batch: its worker dies
        Path target = KafkaBrokerResource.store.resolve("external/crasher/1/model.pt");
        Files.createDirectories(target.getParent());
        Files.copy(Path.of("../core/src/test/resources/torchscript/aborts.pt"), target);
        CheckpointCreated checkpoint = new CheckpointCreated(2, "crasher", "crasher/step-000001", 1,
                "file:external/crasher/1/model.pt", Sha256.of(target), "b".repeat(64), 1, "fashion-mnist",
                "torchscript", "external", PLAN, null, CheckpointCreated.TORCHSCRIPT, "test");
        ShardPlan shards = AttackPhase.plan(EvaluationPlan.of(PLAN, 1), Datasets.load("fashion-mnist", null).test());
        // what the attack replicas would have sent had the model let them: every example robust
        for (ShardPlan.Shard s : shards.shards()) {
            AttackTask task = new AttackTask(1, AttackTask.taskId(checkpoint.checkpointId(), HASH, s.index()), HASH,
                    s.index(), shards.shards().size(), s.attackName(), s.norm().label(), s.eps(), s.from(), s.to(),
                    checkpoint, null);
            AttackEvent e = AttackEvent.completed(task, new ShardOutcome(s.index(), "1".repeat(s.to() - s.from()), 0.1));
            KafkaBrokerResource.companion().produceStrings().fromRecords(new ProducerRecord<>("logitlab.attack-results",
                    checkpoint.checkpointId(), JSON.writeValueAsString(e))).awaitCompletion(Duration.ofSeconds(10));
        }

        List<ConsumerRecord<String, String>> outcomes = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (outcomes.isEmpty() && System.nanoTime() < deadline) {
            outcomes = KafkaBrokerResource.committed("logitlab.reports", Duration.ofSeconds(2)).stream()
                    .filter(r -> checkpoint.checkpointId().equals(r.key()))
                    .filter(r -> !Topics.REPORT_PROGRESS.equals(KafkaBrokerResource.header(r, "ce_type"))).toList();
        }
        assertEquals(1, outcomes.size(), "one outcome for the checkpoint");
        assertEquals(Topics.REPORT_FAILED, KafkaBrokerResource.header(outcomes.get(0), "ce_type"));
        String reason = JSON.readTree(outcomes.get(0).value()).get("reason").asText();
        assertTrue(reason.contains("failed in 2 attempts (logitlab.analysis.attempts)"), reason);
        assertTrue(reason.contains("[worker-crashed]"), reason);
        io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(200);
    }
}
