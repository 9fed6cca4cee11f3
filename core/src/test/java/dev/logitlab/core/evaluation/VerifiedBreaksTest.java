package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.logitlab.core.analysis.IncompleteOptimization;
import dev.logitlab.core.verdict.ClopperPearson;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.EvaluationReport.WorstCase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every verified break counts, at its budget and every larger one of its norm, and the report says who found it. */
class VerifiedBreaksTest {

    static final float N = VerifiedBreaks.NONE;

    @Test
    void aBreakEntersEveryBudgetOfItsNormItLiesWithinAndNothingElse() {
        List<WorstCase> worst = List.of(worst("linf", 0.05, "x111", Map.of()), worst("linf", 0.1, "x101",
                Map.of("attacks", 1)), worst("l2", 0.5, "x111", Map.of()));
        List<WorstCase> after = VerifiedBreaks.enter(worst, List.of(
                // A search found example 1 broken at 0.03 and example 3 at 0.2, above every ℓ∞ budget; example 0
                // (misclassified before any attack) stays misclassified.
                new VerifiedBreaks.Found(VerifiedBreaks.SEARCHES, "linf", new float[] {0, 0.03f, N, 0.2f}),
                new VerifiedBreaks.Found(VerifiedBreaks.LONGER_RUNS, "linf", new float[] {N, N, 0.1f, N})));
        assertEquals("x011", after.get(0).robust());
        assertEquals(Map.of("minimal-ε searches", 1), after.get(0).foundBy());
        assertEquals("x001", after.get(1).robust(), "example 2 was already broken: the longer run adds nothing");
        assertEquals(Map.of("attacks", 1, "minimal-ε searches", 1), after.get(1).foundBy());
        assertEquals(0.25, after.get(1).robustAccuracy(), 1e-12);
        assertEquals(ClopperPearson.of("x001").toList(), after.get(1).interval());
        assertEquals(worst.get(2).robust(), after.get(2).robust(), "ℓ∞ breaks say nothing of ℓ2");
        assertThrows(IllegalArgumentException.class, () -> VerifiedBreaks.enter(worst, List.of(
                new VerifiedBreaks.Found(VerifiedBreaks.SEARCHES, "linf", new float[] {N, N}))));
    }

    @Test
    void whatTheLongerRunsAndTheSearchesBreakLeavesTheReportsWorstCase() {
        // Six examples at ε = 0.1; PGD left 1, 2, 4 and 5 robust. The incomplete-optimization rerun probes those four
        // and breaks the 2nd and 4th it probed (examples 2 and 5); FGSM's minimal-ε search broke example 4 at 0.08.
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "pgd", 6, 0, 0);
        String pgd = "x11011";
        AttackResults attacks = new AttackResults("m", "d", 6, 0, "x11111",
                List.of(new EvaluationReport.AttackRun("pgd", "linf", 0.1, 4 / 6.0, 1, Map.of(), pgd)),
                List.of(worst("linf", 0.1, "x11011", Map.of("attacks", 1))), List.of(),
                new EvaluationReport.RobustAt(1, 0));
        float[] search = {N, N, N, N, 0.08f, N};
        ModelMeasurements measured = new ModelMeasurements("x11111", new ModelMeasurements.Probes(0, 0, 0), null, null,
                List.of(), List.of(new VerifiedBreaks.Found(VerifiedBreaks.SEARCHES, "linf", search)));
        AnalysisPhase.Findings findings = new AnalysisPhase.Findings(measured, null,
                new IncompleteOptimization.Result(4, 3, 2, new int[] {1, 3}), List.of());
        EvaluationReport report = AnalysisPhase.conclude(plan, attacks, findings);
        WorstCase w = report.worstCase().get(0);
        assertEquals("x10000", w.robust());
        assertEquals(Map.of("attacks", 1, "longer runs", 2, "minimal-ε searches", 1), w.foundBy());
        assertEquals(1 / 6.0, w.robustAccuracy(), 1e-12);
        assertEquals(pgd, report.attacks().get(0).robust(), "the attack's own row is unchanged");
    }

    static WorstCase worst(String norm, double eps, String robust, Map<String, Integer> foundBy) {
        double accuracy = robust.chars().filter(c -> c == '1').count() / (double) robust.length();
        return new WorstCase(norm, eps, accuracy, robust, ClopperPearson.of(robust).toList(), foundBy);
    }
}
