package dev.logitlab.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every event record, as Jackson writes it, satisfies its published JSON Schema; broken payloads do not. */
class EventSchemasTest {

    static final String HASH = "a".repeat(64);
    static final RunSpec SPEC = new RunSpec("fashion-mnist", "small-cnn", "ls=0.5,gn=0.3", 2, 10000, 1000, 128, 0.001,
            "adam", 1, new RunSpec.Evaluation(List.of(0.05, 0.1), List.of(0.5), "default", 500, 200));
    static final CheckpointCreated CHECKPOINT = new CheckpointCreated(1, "run-1", "run-1/epoch-001", 1,
            "file:run-1/epoch-001", HASH, HASH, 1, "fashion-mnist", "small-cnn", "ls=0.5,gn=0.3", SPEC.evaluation(),
            new CheckpointCreated.Metrics(0.81, 0.6, 4000, 2.1));
    static final EvaluationReport.AttackRun PGD = new EvaluationReport.AttackRun("pgd", "linf", 0.1, 0.5, 1.2,
            Map.of("steps", 20, "step", 0.0125), "10x1");
    static final EvaluationReport.AttackRun PGD_L2 = new EvaluationReport.AttackRun("pgd", "l2", 0.5, 0.25, 1.3,
            Map.of("norm", "l2", "steps", 20), "00x1");
    static final AttackTask TASK = new AttackTask(1, AttackTask.taskId("run-1/epoch-001", HASH, 3), HASH, 3, 40, "pgd",
            "l2", 0.5, 300, 400, CHECKPOINT, null);
    static final EvaluationReport REPORT = new EvaluationReport(EvaluationReport.SCHEMA, "run-1/epoch-001",
            "fashion-mnist", 4, 1, 0.75, List.of(PGD, PGD_L2),
            List.of(new EvaluationReport.WorstCase("linf", 0.1, 0.5), new EvaluationReport.WorstCase("l2", 0.5, 0.25)),
            new EvaluationReport.GapSummary(3, 1.5, 20, 0.05, 0.07, 0.04, 0.9, 0.1, 5,
                    Map.of("logitGap", new EvaluationReport.Histogram(new double[] {0, 1, 2}, new int[] {1, 2})),
                    List.of(new double[] {0.05, 0.07}),
                    List.of(new EvaluationReport.MinimalEps("fmn", "linf", 0.5, 3, 1, 1 / 3.0, 0.02, 0.05, null, 0.8)),
                    List.of(new double[] {0.05, 0.06})),
            new EvaluationReport.Masking(false, java.util.Collections.nCopies(9,
                    new EvaluationReport.Check("single-step-beats-iterative", true, "ε=0.1: FGSM broke 1, PGD 2"))));

    @Test
    void everyEventKindIsValid() {
        List<Object> events = List.of(
                RunEvent.submitted("run-1", HASH, SPEC),
                RunEvent.progress("run-1", HASH, 1, new RunEvent.Progress(1, 2, 10, 79, 0.7, 0.8, 4100, 0.06)),
                RunEvent.completed("run-1", HASH, 1, "run-1/epoch-002"),
                RunEvent.failed("run-1", HASH, 1, "out of memory"),
                CHECKPOINT,
                TASK,
                AttackEvent.completed(TASK, new ShardOutcome(3, "10x1", 0.4)),
                AttackEvent.completed(TASK, new ShardOutcome(3, "10x1", 0.4, java.util.List.of(
                        new ShardOutcome.Stage("10x1", 0.3, new Passes(8, 6)),
                        new ShardOutcome.Stage("1-x0", 0.1, new Passes(2, 2))), null, new Passes(10, 8))),
                AttackEvent.failed(TASK, "no test images"),
                AttackEvent.refused(CHECKPOINT, HASH, "SHA-256 mismatch"),
                ReportFailed.of(CHECKPOINT, "SHA-256 mismatch"),
                ReportProgress.of(CHECKPOINT, 3, 12),
                new ReportPublished(1, "run-1", "run-1/epoch-001", 1, HASH, 1, "ls=0.5,gn=0.3", REPORT),
                SPEC);
        for (Object event : events) {
            assertEquals(List.of(), EventSchemas.violations(event), event.getClass().getSimpleName());
        }
    }

    @Test
    void brokenPayloadsAreRejected() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode checkpoint = mapper.valueToTree(CHECKPOINT);
        checkpoint.put("sha256", "not-a-digest");
        assertFalse(EventSchemas.violations(CheckpointCreated.class, checkpoint).isEmpty());

        ObjectNode failed = mapper.valueToTree(AttackEvent.refused(CHECKPOINT, HASH, "x"));
        failed.remove("reason");
        assertFalse(EventSchemas.violations(AttackEvent.class, failed).isEmpty(), "failed events must say why");

        // Through $refs into other schema files:
        ObjectNode submitted = mapper.valueToTree(RunEvent.submitted("run-1", HASH, SPEC));
        ((ObjectNode) submitted.get("spec")).put("optimizer", "rmsprop");
        assertFalse(EventSchemas.violations(RunEvent.class, submitted).isEmpty(), "spec is checked by run-spec.v1.json");
        ObjectNode completed = mapper.valueToTree(AttackEvent.completed(TASK, new ShardOutcome(3, "10x1", 0.4)));
        ((ObjectNode) completed.get("outcome")).put("robust", "yes");
        assertFalse(EventSchemas.violations(AttackEvent.class, completed).isEmpty(), "outcomes are 1, 0 or x per example");
        ((ObjectNode) completed.get("checkpoint")).put("sha256", "nope");
        assertTrue(EventSchemas.violations(AttackEvent.class, completed).size() >= 2, "the checkpoint is checked by its own schema");

        ObjectNode report = mapper.valueToTree(REPORT);
        ((ObjectNode) report.get("worstCase").get(1)).put("norm", "l3");
        assertTrue(EventSchemas.violations(EvaluationReport.class, report).stream().anyMatch(m -> m.contains("l3")
                || m.contains("norm")), "a budget's norm is linf or l2");
        ObjectNode progress = mapper.valueToTree(ReportProgress.of(CHECKPOINT, 3, 12));
        ((ObjectNode) progress.get("progress")).put("shards", 0);
        assertFalse(EventSchemas.violations(ReportProgress.class, progress).isEmpty(), "an evaluation has a shard");
        report = mapper.valueToTree(REPORT);
        report.put("surprise", 1);
        assertTrue(EventSchemas.violations(EvaluationReport.class, report).stream().anyMatch(m -> m.contains("surprise")));
    }

    @Test
    void aVersionOneCheckpointEventIsStillReadAsALogitlabCheckpointOnTheTestSplit() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode v1 = mapper.valueToTree(CHECKPOINT);
        v1.put("schemaVersion", 1);
        v1.remove("format");
        v1.remove("split");
        assertEquals(List.of(), EventSchemas.violations(CheckpointCreated.class, v1));
        CheckpointCreated read = mapper.treeToValue(v1, CheckpointCreated.class);
        assertEquals(CheckpointCreated.LOGITLAB, read.format());
        assertEquals("test", read.split());
        assertEquals(2, read.schemaVersion(), "read as the current version");
        // A version 1 event knows no format: one that names one is not version 1.
        v1.put("format", "torchscript");
        assertFalse(EventSchemas.violations(CheckpointCreated.class, v1).isEmpty());
        // A version 2 event must say its format and split, and only the known ones.
        ObjectNode v2 = mapper.valueToTree(CHECKPOINT);
        v2.remove("format");
        assertFalse(EventSchemas.violations(CheckpointCreated.class, v2).isEmpty(), "format is required in v2");
        v2 = mapper.valueToTree(CHECKPOINT);
        v2.put("format", "onnx");
        assertFalse(EventSchemas.violations(CheckpointCreated.class, v2).isEmpty(), "onnx is not a format");
        v2 = mapper.valueToTree(CHECKPOINT);
        v2.put("runId", "../etc");
        assertFalse(EventSchemas.violations(CheckpointCreated.class, v2).isEmpty(), "a run id is a name, not a path");
        // An attack task that still carries a version 1 announcement (in flight across an upgrade) is valid.
        ObjectNode task = mapper.valueToTree(TASK);
        ObjectNode inner = (ObjectNode) task.get("checkpoint");
        inner.put("schemaVersion", 1);
        inner.remove("format");
        inner.remove("split");
        assertEquals(List.of(), EventSchemas.violations(AttackTask.class, task));
    }

    @Test
    void aTorchScriptAnnouncementIsValid() {
        CheckpointCreated external = new CheckpointCreated(2, "my-resnet", "my-resnet/step-000003", 3,
                "file:external/my-resnet/3/model.pt", HASH, HASH, 0, "cifar10", "torchscript", "external",
                SPEC.evaluation(), null, CheckpointCreated.TORCHSCRIPT, "test");
        assertEquals(List.of(), EventSchemas.violations(external));
        assertTrue(external.torchScript());
    }

    @Test
    void cloudEventTypesAreVersioned() {
        assertEquals(Topics.RUN_PROGRESS, RunEvent.progress("r", HASH, 0, null).type());
        assertEquals(Topics.ATTACK_FAILED, AttackEvent.refused(CHECKPOINT, HASH, "x").type());
        assertEquals(Topics.ATTACK_COMPLETED, AttackEvent.completed(TASK, new ShardOutcome(3, "1", 0)).type());
        assertEquals(Topics.eventId(Topics.REPORT_PUBLISHED, "run-1/epoch-001"),
                Topics.eventId(Topics.REPORT_PUBLISHED, "run-1/epoch-001"), "ids are derived, not random");
        assertFalse(Topics.eventId(Topics.REPORT_PUBLISHED, "a").equals(Topics.eventId(Topics.REPORT_FAILED, "a")));
        assertEquals("logitlab.dlq.attack-service", Topics.deadLetter("attack-service"));
    }
}
