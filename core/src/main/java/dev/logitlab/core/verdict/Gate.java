package dev.logitlab.core.verdict;

import dev.logitlab.events.EvaluationReport;
import java.util.List;

/**
 * The CI gate: the candidate passes when, at every budget, it is not worse than the baseline by more than the margin
 * ({@link NonInferiority} on the paired worst-case outcomes), and it raises no masking indicator the baseline did not.
 */
public record Gate(double margin, double alpha, Comparison comparison, List<NonInferiority.Decision> decisions) {

    public static Gate of(EvaluationReport baseline, EvaluationReport candidate, double margin, double alpha) {
        if (!(margin >= 0 && margin <= 1)) {
            throw new IllegalArgumentException("--max-drop must be in [0, 1], got " + margin);
        }
        if (!(alpha > 0 && alpha < 0.5)) {
            throw new IllegalArgumentException("--alpha must be in (0, 0.5), got " + alpha);
        }
        Comparison comparison = Comparison.of(baseline, candidate);
        List<NonInferiority.Decision> decisions = comparison.budgets().stream()
                .map(b -> NonInferiority.decide(b.outcomes(), margin, alpha)).toList();
        return new Gate(margin, alpha, comparison, decisions);
    }

    public boolean passed() {
        return decisions.stream().allMatch(NonInferiority.Decision::notWorse) && comparison.newIndicators().isEmpty();
    }
}
