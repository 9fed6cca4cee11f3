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

    /**
     * About how many examples with the same outcome rates would decide an inconclusive gate (0: it is not
     * inconclusive; −1: none would): the fewest at which some budget heading for a regression shows it, or else the
     * most any budget heading for a pass needs, since a pass needs them all. At the observed rates, so about even odds.
     */
    public int examplesToDecide() {
        int regress = Integer.MAX_VALUE;
        int pass = 0;
        boolean passNever = false;
        for (NonInferiority.Decision d : decisions) {
            if (d.answer() != Answer.INCONCLUSIVE) {
                continue;
            }
            boolean towardsPass = d.difference() > -margin;
            if (d.examplesToDecide() < 0) {
                passNever = true;
            } else if (towardsPass) {
                pass = Math.max(pass, d.examplesToDecide());
            } else {
                regress = Math.min(regress, d.examplesToDecide());
            }
        }
        if (regress < Integer.MAX_VALUE && (passNever || pass == 0 || regress <= pass)) {
            return regress;
        }
        return passNever ? -1 : pass;
    }
}
