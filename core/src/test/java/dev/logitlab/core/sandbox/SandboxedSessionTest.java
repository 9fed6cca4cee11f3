package dev.logitlab.core.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.checkpoint.CheckpointIntegrityException;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.evaluation.Evaluation;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelSession;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.model.ModelContract;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.EvaluationReport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A model from outside evaluated in its worker gives the very report it gives in this process: the boundary moves
 * where the model runs, not what is measured.
 */
class SandboxedSessionTest {

    static final EvaluationPlan PLAN = new EvaluationPlan(List.of(0.05, 0.1), List.of(), "fgsm,pgd:steps=5,square:queries=20",
            40, 3, 10, 5);

    @Test
    void aTorchScriptModelInItsWorkerGivesTheReportItGivesInProcess() throws Exception {
        Path file = HostileModelsTest.fixture("tiny_cnn.pt");
        Dataset test = Models.fashion().test();
        EvaluationReport here;
        try (Classifier model = Classifiers.open(file)) {
            here = new Evaluation(model, test, PLAN, null, null).run("tiny");
        }
        EvaluationReport there;
        try (ModelSession session = Sandbox.DEFAULTS.session(file, null, null, "tiny", test, null, PLAN)) {
            session.checkContract();
            assertEquals(1, session.draws());
            there = new Evaluation(session, null).run("tiny");
        }
        assertEquals(here.worstCase(), there.worstCase());
        for (int i = 0; i < here.attacks().size(); i++) {
            assertEquals(here.attacks().get(i).robust(), there.attacks().get(i).robust(), here.attacks().get(i).name());
        }
        assertEquals(here.gaps().logitGapMedian(), there.gaps().logitGapMedian(), 1e-6);
        assertEquals(here.gaps().minimalEps(), there.gaps().minimalEps());
        assertEquals(here.masking().checks().stream().map(EvaluationReport.Check::detail).toList(),
                there.masking().checks().stream().map(EvaluationReport.Check::detail).toList());
    }

    @Test
    void aBrokenContractIsNamedByItsCheckAndARandomizedModelCostsItsDraws() throws Exception {
        Dataset test = Models.fashion().test();
        try (ModelSession session = Sandbox.DEFAULTS.session(HostileModelsTest.fixture("wrong_classes.pt"), null, null,
                "wrong", test, null, PLAN)) {
            var refused = assertThrows(ModelContract.Violation.class, session::checkContract);
            assertEquals("output-shape", refused.check());
            assertTrue(refused.getMessage().contains("(4, 10)") && !refused.getMessage().contains("(4, 7)"),
                    refused.getMessage());
        }
        try (ModelSession session = Sandbox.DEFAULTS.session(HostileModelsTest.fixture("noisy_linear.pt"), null, null,
                "noisy", test, null, PLAN)) {
            assertEquals(dev.logitlab.core.attack.ExpectationOverTransformation.DRAWS, session.draws());
        }
    }

    @Test
    void aFileThatIsNotTheAnnouncedOneOrNoModuleIsRefusedBeforeAnyWorkerStartsAndNoCopyStays() throws Exception {
        Dataset test = Models.fashion().test();
        long before = leftBehind();
        var tampered = assertThrows(CheckpointIntegrityException.class, () -> Sandbox.DEFAULTS.session(
                HostileModelsTest.fixture("tiny_cnn.pt"), "0".repeat(64), null, "tiny", test, null, PLAN));
        assertTrue(tampered.getMessage().contains("SHA-256"), tampered.getMessage());
        var pickle = assertThrows(IllegalArgumentException.class, () -> Sandbox.DEFAULTS.session(
                HostileModelsTest.fixture("pickled_module.pt"), null, null, "pickle", test, null, PLAN));
        assertTrue(pickle.getMessage().contains("not a TorchScript module"), pickle.getMessage());
        try (ModelSession session = Sandbox.DEFAULTS.session(HostileModelsTest.fixture("tiny_cnn.pt"), null, null, "tiny",
                test, null, PLAN)) {
            assertEquals(1, session.draws());
        }
        assertEquals(before, leftBehind(), "the private copies and the worker's folder go once loaded, refused or closed");
    }

    /** The model copies and worker folders in the temporary directory. */
    private static long leftBehind() throws Exception {
        try (var files = java.nio.file.Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("logitlab-model-") || n.startsWith("logitlab-sandbox-")).count();
        }
    }
}
