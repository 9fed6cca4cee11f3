package dev.logitlab.events;

import dev.logitlab.events.EvaluationReport.AttackRun;
import dev.logitlab.events.EvaluationReport.RobustAt;
import dev.logitlab.events.EvaluationReport.WorstCase;
import java.util.List;

/**
 * What attacking one model produced, before any analysis: per attack and ε the per-example outcomes, the worst
 * case, and the extra PGD runs the masking checks need (an ε sweep and an unbounded budget). {@code clean} has
 * one character per example: {@code 1} correctly classified, {@code x} not.
 */
public record AttackResults(
        String model,
        String dataset,
        int examples,
        long seed,
        String clean,
        List<AttackRun> attacks,
        List<WorstCase> worstCase,
        List<RobustAt> sweep,
        RobustAt unbounded) {

    public double cleanAccuracy() {
        return clean.chars().filter(c -> c == '1').count() / (double) clean.length();
    }
}
