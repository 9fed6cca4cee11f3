package dev.logitlab.core.verdict;

import dev.logitlab.events.EvaluationReport;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A run's best checkpoint: the one with the highest worst-case robust accuracy at its largest budget (the largest
 * ℓ∞ ε, else the largest ℓ2 ε), the earlier one on a tie (Rice et al. 2020: early stopping on a held-out robust metric).
 */
public final class BestCheckpoint {

    /** A checkpoint's report, with where it sits in its run and the defense it was trained with. */
    public record Judged(String runId, String checkpointId, int epoch, String defense, EvaluationReport report) {
    }

    private BestCheckpoint() {
    }

    public static Optional<Judged> of(List<Judged> checkpoints) {
        return checkpoints.stream().max(Comparator.comparingDouble((Judged j) -> headline(j.report()).robustAccuracy())
                .thenComparing(Comparator.comparingInt(Judged::epoch).reversed()));
    }

    /** The budget a run is ranked by: the largest ℓ∞ ε, else the largest ℓ2 ε. */
    public static EvaluationReport.WorstCase headline(EvaluationReport report) {
        return report.worstCase().stream()
                .max(Comparator.comparing((EvaluationReport.WorstCase w) -> EvaluationReport.LINF.equals(w.norm()))
                        .thenComparingDouble(EvaluationReport.WorstCase::eps))
                .orElseThrow(() -> new IllegalArgumentException("a report without a budget"));
    }
}
