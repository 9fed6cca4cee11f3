package dev.logitlab.core.verdict;

import dev.logitlab.events.EvaluationReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A candidate checkpoint against a baseline, judged on the same examples under the same {@link Protocol}: per budget
 * the change in worst-case robust accuracy with its paired 95% interval, the exact McNemar p-value and the negative
 * flips; and the masking indicators the candidate raises that the baseline did not.
 */
public record Comparison(List<BudgetChange> budgets, List<String> newIndicators) {

    /** One budget's paired comparison. */
    public record BudgetChange(String budget, PairedOutcomes outcomes, Interval baseline, Interval candidate,
                               Interval difference, double mcNemarP) {
    }

    /** Throws {@link IllegalArgumentException} naming what makes the two incomparable. */
    public static Comparison of(EvaluationReport baseline, EvaluationReport candidate) {
        List<String> differences = Protocol.of(baseline).differences(Protocol.of(candidate));
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("not judged under the same protocol: " + String.join("; ", differences));
        }
        List<BudgetChange> budgets = new ArrayList<>();
        for (int i = 0; i < baseline.worstCase().size(); i++) {
            EvaluationReport.WorstCase b = baseline.worstCase().get(i);
            EvaluationReport.WorstCase c = candidate.worstCase().get(i);
            if (b.robust() == null || c.robust() == null) {
                throw new IllegalArgumentException("a report without per-example outcomes at " + b.budget()
                        + " (written before they were kept): evaluate it again");
            }
            PairedOutcomes t = PairedOutcomes.of(b.robust(), c.robust());
            budgets.add(new BudgetChange(b.budget(), t, ClopperPearson.of(b.robust()), ClopperPearson.of(c.robust()),
                    PairedDifference.of(t, ClopperPearson.CONFIDENCE), McNemar.exactP(t)));
        }
        return new Comparison(budgets, newIndicators(baseline, candidate));
    }

    /** Indicators of attack failure that fail for the candidate and pass for the baseline. */
    static List<String> newIndicators(EvaluationReport baseline, EvaluationReport candidate) {
        Set<String> failedBefore = new TreeSet<>();
        baseline.masking().checks().stream().filter(c -> !c.passed()).forEach(c -> failedBefore.add(c.name()));
        return candidate.masking().checks().stream().filter(c -> !c.passed() && !failedBefore.contains(c.name()))
                .map(EvaluationReport.Check::name).distinct().toList();
    }
}
