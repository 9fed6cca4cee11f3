package dev.logitlab.core.evaluation;

import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.events.EvaluationReport;
import java.util.ArrayList;
import java.util.List;

/**
 * Mosbach et al. 2018's check (arXiv:1810.12042): one model judged under a weak first-order configuration, of the kind
 * the logit pairing papers reported (PGD with few steps, one start, cross-entropy), and under the full suite. Per
 * budget: both worst-case robust accuracies with their intervals, the robustness the weak configuration claimed and the
 * full suite took away, and the indicators of attack failure each evaluation raised. The weak evaluation's own verdict
 * is the one that matters for a user who ran only it: did logitlab warn that its figure was not to be trusted?
 */
public record AttackStrengthGap(List<Row> rows, EvaluationReport weak, EvaluationReport full) {

    /**
     * {@code lost}: weak − full; {@code lostShare}: the part of the weak figure that was not real (0 when weak is 0);
     * {@code weakIndicators} / {@code weakSuspected}: what the weak evaluation's own masking checks said;
     * {@code fullIndicators} / {@code fullSuspected}: the same for the full suite's.
     */
    public record Row(String budget, double weak, List<Double> weakInterval, double full, List<Double> fullInterval,
                      double lost, double lostShare, List<String> weakIndicators, boolean weakSuspected,
                      List<String> fullIndicators, boolean fullSuspected) {
    }

    /** Both evaluations of one model: first the weak plan, then the full one. */
    public static AttackStrengthGap evaluate(Classifier model, Dataset test, EvaluationPlan weak, EvaluationPlan full,
                                             EvaluationListener listener) {
        if (!weak.budgets().equals(full.budgets()) || weak.limit() != full.limit()) {
            throw new IllegalArgumentException("the weak and the full evaluation must share their budgets and examples");
        }
        EvaluationReport weakReport = new Evaluation(model, test, weak, null, listener).run(model.description());
        EvaluationReport fullReport = new Evaluation(model, test, full, null, listener).run(model.description());
        return of(weakReport, fullReport);
    }

    public static AttackStrengthGap of(EvaluationReport weak, EvaluationReport full) {
        List<Row> rows = new ArrayList<>();
        for (EvaluationReport.WorstCase f : full.worstCase()) {
            EvaluationReport.WorstCase w = weak.worstCase().stream()
                    .filter(x -> x.norm().equals(f.norm()) && x.eps() == f.eps()).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("the weak evaluation has no " + f.budget()));
            double lost = w.robustAccuracy() - f.robustAccuracy();
            rows.add(new Row(f.budget(), w.robustAccuracy(), w.interval(), f.robustAccuracy(), f.interval(), lost,
                    w.robustAccuracy() == 0 ? 0 : lost / w.robustAccuracy(), fired(weak), weak.masking().suspected(),
                    fired(full), full.masking().suspected()));
        }
        return new AttackStrengthGap(rows, weak, full);
    }

    private static List<String> fired(EvaluationReport report) {
        return report.masking().checks().stream().filter(c -> !c.passed()).map(EvaluationReport.Check::name)
                .distinct().toList();
    }
}
