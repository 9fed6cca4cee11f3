package dev.logitlab.attack;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.AttackTask;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.RunSpec;
import dev.logitlab.service.KafkaBrokerResource;
import dev.logitlab.service.PrometheusLint;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** The attack service against a real in-JVM KRaft broker and real checkpoints of a tiny trained model. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class AttackTopologyTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final RunSpec.Evaluation PLAN = new RunSpec.Evaluation(List.of(0.1),
            "fgsm,pgd:steps=3,apgd-t:steps=2:targets=2,noise:draws=2", 150, 0);
    /** The cheap attacks in one shard each, the sweep at 4 more ε and the unbounded run in 2 each (PGD-20, 100 a shard). */
    static final int SHARDS = dev.logitlab.core.evaluation.AttackPhase.plan(new dev.logitlab.core.evaluation.EvaluationPlan(
            PLAN.eps(), PLAN.attacks(), PLAN.limit(), 1, PLAN.gapLimit()), Datasets.load("synthetic", null).test())
            .shards().size();

    @Test
    void theShardCountIsWhatTheCostOfEachAttackGives() {
        assertEquals(4 + 4 * 2 + 2, SHARDS);
    }

    @Test
    void aCheckpointIsSplitIntoShardsAndEveryShardIsAnsweredOnce() throws Exception {
        CheckpointCreated event = trainedCheckpoint("run-a");
        produce(event.runId(), JSON.writeValueAsString(event));

        List<ConsumerRecord<String, String>> results = resultsFor(event.checkpointId(), SHARDS);
        Set<Integer> shards = new TreeSet<>();
        for (ConsumerRecord<String, String> record : results) {
            JsonNode result = JSON.readTree(record.value());
            assertEquals(List.of(), EventSchemas.violations(AttackEvent.class, result));
            assertEquals("dev.logitlab.attack.completed.v2", KafkaBrokerResource.header(record, "ce_type"));
            assertTrue(KafkaBrokerResource.header(record, "ce_dataschema").endsWith("/schemas/attack-event.v2.json"));
            assertEquals(SHARDS, result.get("shards").asInt());
            assertEquals(result.get("shard").asInt(), result.get("outcome").get("shard").asInt());
            shards.add(result.get("shard").asInt());
        }
        assertEquals(SHARDS, shards.size(), "every shard answered once");
        assertEquals(SHARDS, results.stream().map(r -> KafkaBrokerResource.header(r, "ce_id")).distinct().count());

        List<ConsumerRecord<String, String>> survivorTasks = KafkaBrokerResource.committed("logitlab.survivor-tasks",
                Duration.ofSeconds(3)).stream().filter(r -> r.key().startsWith(event.checkpointId() + "#")).toList();
        List<ConsumerRecord<String, String>> tasks = new ArrayList<>(KafkaBrokerResource.committed("logitlab.attack-tasks",
                Duration.ofSeconds(3)).stream().filter(r -> r.key().startsWith(event.checkpointId() + "#")).toList());
        tasks.addAll(survivorTasks);
        assertEquals(SHARDS, tasks.size());
        assertTrue(tasks.stream().map(ConsumerRecord::partition).distinct().count() > 1, "shards spread over partitions");
        assertEquals(List.of(), EventSchemas.violations(AttackTask.class, JSON.readTree(tasks.get(0).value())));

        // apgd-t waited for fgsm and pgd, the noise shard for all three; both came on the survivors' topic and
        // attacked only the examples every earlier attack left robust
        assertEquals(List.of("apgd-t", "noise"), survivorTasks.stream().map(r -> {
            try {
                return JSON.readTree(r.value()).get("attack").asText();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).sorted().toList());
        Map<Integer, String> attackOf = new HashMap<>();
        JsonNode noise = null;
        JsonNode targeted = null;
        for (ConsumerRecord<String, String> r : tasks) {
            JsonNode task = JSON.readTree(r.value());
            if (task.get("eps").asDouble() == 0.1) { // the plan's budget; the sweep's PGD runs at others
                attackOf.put(task.get("shard").asInt(), task.get("attack").asText());
            }
            if (task.get("attack").asText().equals("noise")) {
                noise = task;
                assertEquals(List.of(), EventSchemas.violations(AttackTask.class, task));
            }
            if (task.get("attack").asText().equals("apgd-t")) {
                targeted = task;
            }
        }
        StringBuilder expected = new StringBuilder();
        Map<String, String> robust = new HashMap<>();
        for (ConsumerRecord<String, String> record : results) {
            JsonNode result = JSON.readTree(record.value());
            String attack = attackOf.get(result.get("shard").asInt());
            if (attack != null) {
                robust.put(attack, result.get("outcome").get("robust").asText());
            }
        }
        StringBuilder afterTargeted = new StringBuilder();
        for (int i = 0; i < robust.get("fgsm").length(); i++) {
            boolean untargeted = robust.get("fgsm").charAt(i) == '1' && robust.get("pgd").charAt(i) == '1';
            expected.append(untargeted ? '1' : '0');
            afterTargeted.append(untargeted && robust.get("apgd-t").charAt(i) == '1' ? '1' : '0');
        }
        assertEquals(expected.toString(), targeted.get("attacked").asText());
        assertEquals(afterTargeted.toString(), noise.get("attacked").asText());
        expected = afterTargeted;
        for (int i = 0; i < expected.length(); i++) {
            assertTrue(expected.charAt(i) == '1' || robust.get("noise").charAt(i) != '1', "example " + i);
        }

        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", Matchers.hasItem("checkpoint-store"));
        String metrics = given().get("/q/metrics").then().statusCode(200)
                .body(Matchers.containsString("logitlab_shards_processed_total"))
                .body(Matchers.containsString("logitlab_attack_shard_duration_seconds")).extract().asString();
        assertEquals(List.of(), PrometheusLint.problems(metrics));
        given().get("/schemas/attack-event.v2.json").then().statusCode(200)
                .body(Matchers.containsString("\"$id\": \"attack-event.v2.json\""));
    }

    @Test
    void poisonGoesToTheDeadLetterTopicRepeatedAnnouncementsAreDroppedAndConsumptionGoesOn() throws Exception {
        CheckpointCreated first = trainedCheckpoint("run-b");
        CheckpointCreated second = trainedCheckpoint("run-c");
        produce(first.runId(), JSON.writeValueAsString(first));
        produce(first.runId(), JSON.writeValueAsString(first)); // a trainer that re-announced after a restart
        produce("poison", "{not a checkpoint event");
        produce("poison", "{\"schemaVersion\":1,\"runId\":\"r\"}");
        produce(second.runId(), JSON.writeValueAsString(second));

        resultsFor(second.checkpointId(), SHARDS);
        var dead = KafkaBrokerResource.committed("logitlab.dlq.attack-service", Duration.ofSeconds(5)).stream()
                .filter(r -> "poison".equals(r.key())).toList();
        assertEquals(2, dead.size());
        for (ConsumerRecord<String, String> r : dead) {
            assertEquals("poison", r.key());
            assertTrue(KafkaBrokerResource.header(r, "dead-letter-reason").startsWith("not"), KafkaBrokerResource.header(r, "dead-letter-reason"));
            assertEquals("logitlab.checkpoints", KafkaBrokerResource.header(r, "dead-letter-topic"));
        }
        assertEquals(SHARDS, resultsFor(first.checkpointId(), SHARDS).size(), "a repeated announcement gives no second set");
    }

    @Test
    void aCheckpointIsItsRunItsEpochAndItsBytesAndAnAnnouncementCannotSpeakForAnother() throws Exception {
        CheckpointCreated good = trainedCheckpoint("run-e");
        produce(good.runId(), JSON.writeValueAsString(good));
        assertEquals(SHARDS, resultsFor(good.checkpointId(), SHARDS).size());

        RunSpec.Evaluation otherPlan = new RunSpec.Evaluation(List.of(0.2), PLAN.attacks(), PLAN.limit(), 0);
        Map<String, CheckpointCreated> forged = new java.util.LinkedHashMap<>();
        forged.put("other bytes", new CheckpointCreated(1, good.runId(), good.checkpointId(), good.epoch(), good.uri(),
                "1".repeat(64), good.configHash(), good.seed(), good.dataset(), good.model(), good.defense(), otherPlan,
                good.metrics()));
        forged.put("checkpointId must be", new CheckpointCreated(1, "mallory", good.checkpointId(), good.epoch(),
                "file:runs/mallory/epoch-001", good.sha256(), good.configHash(), good.seed(), good.dataset(),
                good.model(), good.defense(), otherPlan, good.metrics()));
        forged.put("uri must lie in the run's own folder", new CheckpointCreated(1, "mallory", "mallory/epoch-001",
                good.epoch(), good.uri(), good.sha256(), good.configHash(), good.seed(), good.dataset(), good.model(),
                good.defense(), otherPlan, good.metrics()));
        forged.forEach((why, event) -> produce(event.runId(), write(event)));
        produce("mallory", write(new CheckpointCreated(1, good.runId(), good.checkpointId(), good.epoch(), good.uri(),
                good.sha256(), good.configHash(), good.seed(), good.dataset(), good.model(), good.defense(), otherPlan,
                good.metrics())));

        List<String> reasons = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (reasons.size() < 4 && System.nanoTime() < deadline) {
            reasons = KafkaBrokerResource.committed("logitlab.dlq.attack-service", Duration.ofSeconds(2)).stream()
                    .filter(r -> r.key().equals("mallory") || r.key().equals(good.runId()))
                    .map(r -> KafkaBrokerResource.header(r, "dead-letter-reason")).toList();
        }
        assertEquals(4, reasons.size(), reasons.toString());
        for (String why : forged.keySet()) {
            assertTrue(reasons.stream().anyMatch(r -> r.contains(why)), why + " in " + reasons);
        }
        assertTrue(reasons.stream().anyMatch(r -> r.contains("key must be its runId")), reasons.toString());
        assertTrue(reasons.stream().noneMatch(r -> r.contains(good.sha256())), "the stored file's hash is never told");
        assertEquals(SHARDS, resultsFor(good.checkpointId(), SHARDS).size(), "no refusal and no second evaluation");
        assertEquals(0, KafkaBrokerResource.committed("logitlab.attack-results", Duration.ofSeconds(2)).stream()
                .filter(r -> r.key().startsWith("mallory")).count());
    }

    private static String write(Object event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aShardThatTookReplicasDownMaxAttemptsTimesFailsWithTheReasonInsteadOfRunningAgain() throws Exception {
        CheckpointCreated event = trainedCheckpoint("run-poison");
        String poison = AttackTask.taskId(event.checkpointId(), AttackConfig.hash(event), 0);
        // three replicas started shard 0 and died before its result: what they recorded before starting it
        KafkaBrokerResource.companion().produceStrings().fromRecords(new ProducerRecord<>("logitlab.shard-attempts",
                poison, "3 attack-7/4242 2026-11-30T12:00:00Z")).awaitCompletion(Duration.ofSeconds(10));
        Thread.sleep(1000); // the global store reads it asynchronously; a replica restarting reads it before it starts
        produce(event.runId(), JSON.writeValueAsString(event));

        // the shards of the later waves (apgd-t, noise) wait for shard 0 and never run: a failure releases nothing
        List<ConsumerRecord<String, String>> results = resultsFor(event.checkpointId(), SHARDS - 2);
        List<JsonNode> first = new ArrayList<>();
        for (ConsumerRecord<String, String> r : results) {
            JsonNode result = JSON.readTree(r.value());
            if (result.get("shard").asInt() == 0) {
                first.add(result);
            } else {
                assertEquals("completed", result.get("kind").asText(), "every other shard of the first wave runs");
            }
        }
        assertEquals(1, first.size(), "the poison shard is answered once");
        assertEquals("failed", first.get(0).get("kind").asText());
        String reason = first.get(0).get("reason").asText();
        assertTrue(reason.contains("started 3 times") && reason.contains("attack-7/4242"), reason);
        assertEquals(List.of(), EventSchemas.violations(AttackEvent.class, first.get(0)));

        // a shard that runs records its attempt before it starts, and that it ended (a tombstone: the count back to 0,
        // and the task forgotten) after: lost with a later shard's crash, it is run again without the blame
        String healthy = AttackTask.taskId(event.checkpointId(), AttackConfig.hash(event), 1);
        var attempts = KafkaBrokerResource.committed("logitlab.shard-attempts", Duration.ofSeconds(2)).stream()
                .filter(r -> r.key().equals(healthy)).map(ConsumerRecord::value).toList();
        assertEquals(2, attempts.size(), attempts.toString());
        assertTrue(attempts.get(0).startsWith("1 "), attempts.get(0));
        assertEquals(null, attempts.get(1));
    }

    @Test
    void aCheckpointWhoseShaDoesNotMatchIsRefusedWithAnEvent() throws Exception {
        CheckpointCreated good = trainedCheckpoint("run-d");
        CheckpointCreated tampered = new CheckpointCreated(1, good.runId(), good.checkpointId(), good.epoch(), good.uri(),
                "0".repeat(64), good.configHash(), good.seed(), good.dataset(), good.model(), good.defense(),
                good.evaluation(), good.metrics());
        produce(good.runId(), JSON.writeValueAsString(tampered));

        ConsumerRecord<String, String> record = resultsFor(good.checkpointId(), 1).get(0);
        JsonNode failed = JSON.readTree(record.value());
        assertEquals("failed", failed.get("kind").asText());
        assertEquals(-1, failed.get("shard").asInt());
        assertEquals("dev.logitlab.attack.failed.v2", KafkaBrokerResource.header(record, "ce_type"));
        assertTrue(failed.get("reason").asText().contains("SHA-256"), failed.get("reason").asText());
        assertEquals(List.of(), EventSchemas.violations(AttackEvent.class, failed));
    }

    @Test
    void anAnnouncementOverTheCostLimitsIsRefusedWithTheLimitNamed() throws Exception {
        // The attack service checks again what the trainer checks: a limit holds whoever wrote the announcement.
        CheckpointCreated good = trainedCheckpoint("run-costly");
        RunSpec.Evaluation costly = new RunSpec.Evaluation(List.of(0.1), "pgd:steps=900000:restarts=5000", 150, 0);
        CheckpointCreated event = new CheckpointCreated(1, good.runId(), good.checkpointId(), good.epoch(), good.uri(),
                good.sha256(), good.configHash(), good.seed(), good.dataset(), good.model(), good.defense(), costly,
                good.metrics());
        produce(event.runId(), JSON.writeValueAsString(event));

        JsonNode refused = JSON.readTree(resultsFor(event.checkpointId(), 1).get(0).value());
        assertEquals("failed", refused.get("kind").asText());
        assertEquals(-1, refused.get("shard").asInt());
        assertTrue(refused.get("reason").asText().contains("(logitlab.limits.attack-steps)"), refused.get("reason").asText());
    }

    @Test
    void aTorchScriptModelIsAttackedLikeOurOwnAndOneThatBreaksTheContractGetsTheCheckNamed() throws Exception {
        CheckpointCreated good = torchScript("ext-good", "synthetic_linear.pt");
        produce(good.runId(), JSON.writeValueAsString(good));
        for (ConsumerRecord<String, String> record : resultsFor(good.checkpointId(), SHARDS)) {
            JsonNode result = JSON.readTree(record.value());
            assertEquals("completed", result.get("kind").asText(), result.toString());
            assertEquals("torchscript", result.get("checkpoint").get("format").asText());
        }

        // tiny_cnn.pt takes 1×28×28 images: it cannot run on the synthetic data's 1×8×8.
        CheckpointCreated wrongShape = torchScript("ext-shape", "tiny_cnn.pt");
        CheckpointCreated notAModule = torchScript("ext-weights", "state_dict.pt");
        produce(wrongShape.runId(), JSON.writeValueAsString(wrongShape));
        produce(notAModule.runId(), JSON.writeValueAsString(notAModule));
        JsonNode shape = JSON.readTree(resultsFor(wrongShape.checkpointId(), 1).get(0).value());
        assertEquals("failed", shape.get("kind").asText());
        assertEquals(-1, shape.get("shard").asInt());
        assertTrue(shape.get("reason").asText().startsWith("model check 'input-shape' failed"), shape.get("reason").asText());
        JsonNode weights = JSON.readTree(resultsFor(notAModule.checkpointId(), 1).get(0).value());
        assertTrue(weights.get("reason").asText().contains("not a TorchScript module"), weights.get("reason").asText());
    }

    /** A TorchScript fixture of core's tests copied into the store and announced as a producer outside would. */
    static CheckpointCreated torchScript(String runId, String fixture) throws Exception {
        java.nio.file.Path source = java.nio.file.Path.of("../core/src/test/resources/torchscript", fixture);
        java.nio.file.Path target = KafkaBrokerResource.store.resolve("external").resolve(runId).resolve("1")
                .resolve("model.pt");
        java.nio.file.Files.createDirectories(target.getParent());
        java.nio.file.Files.copy(source, target);
        return new CheckpointCreated(2, runId, runId + "/step-000001", 1, "file:external/" + runId + "/1/model.pt",
                dev.logitlab.core.checkpoint.Sha256.of(target), "b".repeat(64), 1, "synthetic", "torchscript", "external",
                PLAN, null, CheckpointCreated.TORCHSCRIPT, "test");
    }

    /** Trains a linear model on the synthetic data for one epoch into the store and describes it as an event. */
    static CheckpointCreated trainedCheckpoint(String runId) {
        TrainingConfig config = new TrainingConfig("synthetic", "linear", "plain", 1, 500, 200, 50, 0.01, "adam", 1);
        Checkpoint c = new Training(config, runId, KafkaBrokerResource.store.resolve("runs").resolve(runId), null)
                .run(Datasets.load("synthetic", null)).lastCheckpoint();
        return new CheckpointCreated(1, runId, c.manifest().checkpointId(), c.manifest().epoch(),
                "file:runs/" + runId + "/" + c.directory().getFileName(), c.manifest().parameters().sha256(),
                c.manifest().configHash(), 1, "synthetic", "linear", "plain", PLAN, null);
    }

    private static void produce(String key, String value) {
        KafkaBrokerResource.companion().produceStrings()
                .fromRecords(new ProducerRecord<>("logitlab.checkpoints", key, value)).awaitCompletion(Duration.ofSeconds(10));
    }

    /** Waits until {@code n} committed results of the checkpoint are on the topic, then a little longer for extras. */
    private static List<ConsumerRecord<String, String>> resultsFor(String checkpointId, int n) {
        List<ConsumerRecord<String, String>> found = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (found.size() < n && System.nanoTime() < deadline) {
            found = KafkaBrokerResource.committed("logitlab.attack-results", Duration.ofSeconds(2)).stream()
                    .filter(r -> checkpointId.equals(r.key())).collect(Collectors.toList());
        }
        assertEquals(n, found.size(), "results for " + checkpointId);
        return found;
    }
}
