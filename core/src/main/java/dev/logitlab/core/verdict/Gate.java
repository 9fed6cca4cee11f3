package dev.logitlab.core.verdict;

import dev.logitlab.core.verdict.NonInferiority.Answer;
import dev.logitlab.events.EvaluationReport;
import java.util.List;

/**
 * The CI gate, with three answers ({@link NonInferiority} on the paired worst-case outcomes at each budget):
 * <ul>
 *   <li>{@link Answer#REGRESSED} when some budget shows a drop larger than the margin, or the candidate raises a
 *   masking indicator the baseline did not (its numbers are then not to be trusted);</li>
 *   <li>{@link Answer#PASSED} when every budget shows non-inferiority (an intersection–union test: each at α);</li>
 *   <li>{@link Answer#INCONCLUSIVE} otherwise: the evidence shows neither.</li>
 * </ul>
 * A regression at any of k budgets is a union of k claims, so each is made at α/k (Bonferroni).
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
        int budgets = comparison.budgets().size();
        List<NonInferiority.Decision> decisions = comparison.budgets().stream()
                .map(b -> NonInferiority.decide(b.outcomes(), margin, alpha, alpha / budgets)).toList();
        return new Gate(margin, alpha, comparison, decisions);
    }

    /** The answer on the numbers alone, before the masking indicators. */
    public Answer onTheNumbers() {
        if (decisions.stream().anyMatch(d -> d.answer() == Answer.REGRESSED)) {
            return Answer.REGRESSED;
        }
        return decisions.stream().allMatch(NonInferiority.Decision::passed) ? Answer.PASSED : Answer.INCONCLUSIVE;
    }

    public Answer answer() {
        return comparison.newIndicators().isEmpty() ? onTheNumbers() : Answer.REGRESSED;
    }

    public boolean passed() {
        return answer() == Answer.PASSED;
    }

    /** The most examples any inconclusive budget would need to decide (−1: some never would; 0: none inconclusive). */
    public int examplesToDecide() {
        int most = 0;
        for (NonInferiority.Decision d : decisions) {
            if (d.answer() == Answer.INCONCLUSIVE) {
                if (d.examplesToDecide() < 0) {
                    return -1;
                }
                most = Math.max(most, d.examplesToDecide());
            }
        }
        return most;
    }
}
