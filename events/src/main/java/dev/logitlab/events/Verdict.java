package dev.logitlab.events;

import java.util.List;

/**
 * What a checkpoint's report means for its run ({@code logitlab.verdicts}, compacted, key: checkpointId; CloudEvents
 * type {@value Topics#VERDICT}): {@code passed}, {@code regressed} (a drop larger than the margin below the baseline,
 * shown), {@code masking-suspected} (an indicator of attack failure fired, or one the baseline did not),
 * {@code robust-overfitting} (significantly below the run's best checkpoint, the run's later checkpoints counted as a
 * family) or {@code inconclusive} (compared with a baseline, the evidence shows neither non-inferiority nor a drop).
 * {@code budgets} holds the numbers and the test behind it at each budget; {@code baseline} is the checkpoint compared
 * with, if any; {@code best} is the run's best checkpoint so far; {@code overfitting} the test against it, when this
 * checkpoint comes after it (schema v2; v1 lacked {@code inconclusive}, the upper bounds and {@code overfitting}).
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
        List<String> indicators,
        Overfitting overfitting) {

    public static final int SCHEMA_VERSION = 2;
    public static final List<String> KINDS = List.of("passed", "regressed", "masking-suspected", "robust-overfitting",
            "inconclusive");

    /**
     * One budget against the baseline: both worst-case accuracies, the change with its paired 95% interval, the
     * one-sided bounds the gate used (the lower at α, the upper at α over the budgets), the exact McNemar p-value, the
     * negative flips (examples the reference withstood and this checkpoint loses), the gate's {@code answer} there
     * (passed, regressed, inconclusive) and, when inconclusive, {@code examplesToDecide} (−1: none would).
     */
    public record BudgetTest(String budget, double reference, double accuracy, List<Double> interval,
                             double difference, List<Double> differenceInterval, double lowerBound, double mcNemarP,
                             int negativeFlips, Double upperBound, String answer, Integer examplesToDecide) {
    }

    /**
     * This checkpoint against the run's best at the headline budget, on the held-out half of the examples (the best
     * was chosen on the other half): both accuracies there, the one-sided exact McNemar p of a drop, and that p
     * adjusted for the report's {@code place} k among its run's reports as they arrived (k(k − 1)·p, the error spent
     * per arrival so that a run's verdicts together stay within α); significant when the adjusted p is at most alpha.
     */
    public record Overfitting(String budget, int examples, double best, double accuracy, double dropP,
            double adjustedP, int place, boolean significant) {
    }
}
