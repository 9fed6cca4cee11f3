package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.EvaluationReport.AttackRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A model whose gradients are exactly zero (inputs rounded to 8 grey levels) blinds FGSM and PGD: the analysis then
 * runs Square with more queries on what they left robust, and the worst case falls to what Square finds.
 */
class EscalationTest {

    private static final EvaluationPlan PLAN = new EvaluationPlan(List.of(0.1), "fgsm,pgd", 40, 0, 0);

    @Test
    void zeroGradientsEscalateToSquareAndItsBreaksLeaveTheWorstCase() {
        Dataset test = Models.fashion().test();
        try (Classifier quantized = Models.quantized(Models.plainSmallCnn(), 8)) {
            EvaluationReport report = new Evaluation(quantized, test, PLAN, null, null).run("quantized");
            AttackRun square = report.attacks().stream().filter(r -> r.params().containsKey("escalated"))
                    .findFirst().orElseThrow(() -> new AssertionError("no escalated run in " + report.attacks()));
            assertEquals(Escalation.QUERIES, ((Number) square.params().get("queries")).intValue(),
                    "no Square in the plan: 4 × 250 queries");
            double gradientBest = report.attacks().stream().filter(r -> !r.params().containsKey("escalated"))
                    .mapToDouble(AttackRun::robustAccuracy).min().orElseThrow();
            long leftByGradients = countRobustAfterAll(report.attacks().stream()
                    .filter(r -> !r.params().containsKey("escalated")).toList());
            // It attacked exactly what the worst case left robust before it: what FGSM and PGD both left, less what
            // the ε sweep and the unconstrained run's clipped points broke.
            EvaluationReport.WorstCase w = report.worstCase().get(0);
            int before = w.foundBy().getOrDefault("the ε sweep", 0)
                    + w.foundBy().getOrDefault("the unconstrained run, clipped", 0);
            assertEquals((int) leftByGradients - before, ((Number) square.params().get("attacked")).intValue());
            double worst = w.robustAccuracy();
            assertEquals(square.robustAccuracy() - w.foundBy().getOrDefault("longer runs", 0) / 40.0, worst, 1e-12,
                    "the worst case is the one after the escalation, less what the longer runs broke");
            assertTrue(w.foundBy().getOrDefault("escalation", 0) > 0, w.foundBy().toString());
            assertTrue(worst < gradientBest, "Square breaks what blind gradients could not: " + worst + " vs "
                    + gradientBest);
        }
    }

    @Test
    void aModelWithGradientsIsNotEscalated() {
        Dataset test = Models.fashion().test();
        try (Classifier plain = Models.plainSmallCnn()) {
            EvaluationReport report = new Evaluation(plain, test, PLAN, null, null).run("plain");
            assertTrue(report.attacks().stream().noneMatch(r -> r.params().containsKey("escalated")),
                    report.attacks().toString());
        }
    }

    private static long countRobustAfterAll(List<AttackRun> runs) {
        int n = runs.get(0).robust().length();
        long robust = 0;
        for (int i = 0; i < n; i++) {
            int example = i;
            robust += runs.stream().allMatch(r -> r.robust().charAt(example) == '1') ? 1 : 0;
        }
        return robust;
    }
}
