package dev.logitlab.core.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.evaluation.Evaluation;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.EvaluationReport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The randomized model of issue 27 in small: a TorchScript CNN that adds Gaussian noise to its input at inference
 * ({@code noisy_cnn.pt}, recipe beside it), attacked through EOT by iterative attacks whose active set shrinks every
 * step, so that oneDNN's convolutions run on many batch shapes, forward and backward, draw after draw. It must run to
 * the end and judge the model as EOT sees it.
 */
class EotNoisyCnnTest {

    @Test
    void aNoisyTorchScriptCnnIsAttackedThroughEotToTheEnd() throws Exception {
        Path file = Path.of(EotNoisyCnnTest.class.getResource("/torchscript/noisy_cnn.pt").toURI());
        Dataset test = Models.fashion().test();
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm,pgd:steps=30,apgd-ce:steps=30,square:queries=50",
                40, 0, 0);
        try (Classifier model = Classifiers.open(file)) {
            EvaluationReport report = new Evaluation(model, test, plan, null, null).run("noisy-cnn");
            var unstable = report.masking().checks().stream().filter(c -> c.name().equals("unstable-predictions"))
                    .findFirst().orElseThrow();
            assertTrue(!unstable.passed() && unstable.fix().contains("EOT"), "EOT applied: " + unstable);
            double clean = report.cleanAccuracy();
            double worst = report.worstCase().get(0).robustAccuracy();
            assertTrue(clean >= 0.5, "the noisy CNN was trained: clean accuracy " + clean);
            assertTrue(worst < clean, "the attacks break something through EOT: " + worst + " of " + clean);
            assertEquals(4, report.attacks().size(), "four attacks ran at one budget");
        }
    }
}
