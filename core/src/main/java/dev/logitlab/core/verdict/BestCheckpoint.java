package dev.logitlab.core.verdict;

import dev.logitlab.events.EvaluationReport;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A run's best checkpoint: the one with the highest worst-case robust accuracy at its largest budget (the largest
 * ℓ∞ ε, else the largest ℓ2 ε), the earlier one on a tie (Rice et al. 2020: early stopping on a held-out robust metric),
 * among checkpoints judged under one {@link Protocol}.
 * <p>
 * Picking the highest of several noisy accuracies and then reporting that accuracy overstates it (the winner's
 * curse: +0.6 to +2.5 points in simulations of runs like ours). So the best is chosen on the <em>selection half</em>
 * of the examples, the even-numbered ones, and everything said about it afterwards (the leaderboard's figure, the
 * test of a later checkpoint against it) uses the <em>held-out half</em>, the odd-numbered ones. Reports without
 * per-example outcomes (older ones) are chosen on their headline figure and cannot be held out.
 */
public final class BestCheckpoint {

    /** A checkpoint's report, with where it sits in its run and the defense it was trained with. */
    public record Judged(String runId, String checkpointId, int epoch, String defense, EvaluationReport report) {
    }

    private BestCheckpoint() {
    }

    /**
     * The best of a run's checkpoints under its main protocol: the one most of them were judged under (on a tie, the
     * latest checkpoint's), chosen on the selection half.
     */
    public static Optional<Judged> of(List<Judged> checkpoints) {
        Map<String, List<Judged>> byProtocol = checkpoints.stream().collect(Collectors.groupingBy(
                j -> Protocol.of(j.report()).key(), LinkedHashMap::new, Collectors.toList()));
        return byProtocol.values().stream()
                .max(Comparator.comparingInt((List<Judged> g) -> g.size())
                        .thenComparingInt(g -> g.stream().mapToInt(Judged::epoch).max().orElse(0)))
                .flatMap(BestCheckpoint::ofOneProtocol);
    }

    /** The best of checkpoints judged under one protocol, on the selection half. */
    static Optional<Judged> ofOneProtocol(List<Judged> checkpoints) {
        return checkpoints.stream().max(Comparator.comparingDouble(BestCheckpoint::selectionScore)
                .thenComparing(Comparator.comparingInt(Judged::epoch).reversed()));
    }

    /** The checkpoints judged under the same protocol as {@code reference}. */
    public static List<Judged> underProtocolOf(Judged reference, List<Judged> checkpoints) {
        Protocol protocol = Protocol.of(reference.report());
        return checkpoints.stream().filter(j -> Protocol.of(j.report()).differences(protocol).isEmpty()).toList();
    }

    /** The robust accuracy a checkpoint is chosen by: at the headline budget, on the selection half. */
    static double selectionScore(Judged j) {
        EvaluationReport.WorstCase w = headline(j.report());
        return w.robust() == null ? w.robustAccuracy() : accuracy(selectionHalf(w.robust()));
    }

    /** The budget a run is ranked by: the largest ℓ∞ ε, else the largest ℓ2 ε. */
    public static EvaluationReport.WorstCase headline(EvaluationReport report) {
        return report.worstCase().stream()
                .max(Comparator.comparing((EvaluationReport.WorstCase w) -> EvaluationReport.LINF.equals(w.norm()))
                        .thenComparingDouble(EvaluationReport.WorstCase::eps))
                .orElseThrow(() -> new IllegalArgumentException("a report without a budget"));
    }

    /** The outcomes of the even-numbered examples, which choose the best. */
    public static String selectionHalf(String outcomes) {
        return every(outcomes, 0);
    }

    /** The outcomes of the odd-numbered examples, on which the best is reported and judged. */
    public static String heldOutHalf(String outcomes) {
        return every(outcomes, 1);
    }

    /**
     * The report restricted to the held-out half: its worst case per budget over the odd-numbered examples, with
     * accuracies and intervals recomputed. Null when the report has no per-example outcomes or under two examples.
     */
    public static EvaluationReport heldOut(EvaluationReport r) {
        if (r.examples() < 2 || r.worstCase().stream().anyMatch(w -> w.robust() == null)) {
            return null;
        }
        List<EvaluationReport.WorstCase> worst = r.worstCase().stream().map(w -> {
            String held = heldOutHalf(w.robust());
            // The procedures' counts are the whole set's and leave; the single-draw record stays (the protocol reads it).
            return new EvaluationReport.WorstCase(w.norm(), w.eps(), accuracy(held), held,
                    ClopperPearson.of(held).toList(), null, w.singleDraw());
        }).toList();
        return new EvaluationReport(r.schema(), r.model(), r.dataset(), r.examples() / 2, r.seed(), r.cleanAccuracy(),
                r.attacks(), worst, r.gaps(), r.masking(), r.cleanInterval(), r.timeline(), r.procedures());
    }

    private static String every(String outcomes, int first) {
        StringBuilder half = new StringBuilder(outcomes.length() / 2 + 1);
        for (int i = first; i < outcomes.length(); i += 2) {
            half.append(outcomes.charAt(i));
        }
        return half.toString();
    }

    static double accuracy(String outcomes) {
        return outcomes.isEmpty() ? 0 : outcomes.chars().filter(c -> c == '1').count() / (double) outcomes.length();
    }
}
