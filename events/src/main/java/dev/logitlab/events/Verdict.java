package dev.logitlab.events;

import java.util.List;

/**
 * What a checkpoint's report means for its run ({@code logitlab.verdicts}, compacted, key: checkpointId; CloudEvents
 * type {@value Topics#VERDICT}): {@code passed}, {@code regressed} (significantly worse than the baseline by more
 * than the margin), {@code masking-suspected} (an indicator of attack failure fired, or one the baseline did not), or
 * {@code robust-overfitting} (significantly below the run's best checkpoint). {@code budgets} holds the numbers and
 * the test behind it at each budget; {@code baseline} is the checkpoint compared with, if any; {@code best} is the
 * run's best checkpoint so far.
 */
public record Verdict(
        int schemaVersion,
        String runId,
        String checkpointId,
        int epoch,
        String kind,
        String reason,
        String baseline,
        String best,
        int bestEpoch,
        double margin,
        double alpha,
        List<BudgetTest> budgets,
        List<String> indicators) {

    public static final int SCHEMA_VERSION = 1;
    public static final List<String> KINDS = List.of("passed", "regressed", "masking-suspected", "robust-overfitting");

    /**
     * One budget against the baseline (or, for robust overfitting, the best checkpoint): both worst-case accuracies,
     * the change with its paired 95% interval, the one-sided lower bound the gate used, the exact McNemar p-value
     * and the negative flips (examples the reference withstood and this checkpoint loses).
     */
    public record BudgetTest(String budget, double reference, double accuracy, List<Double> interval,
                             double difference, List<Double> differenceInterval, double lowerBound, double mcNemarP,
                             int negativeFlips) {
    }
}
