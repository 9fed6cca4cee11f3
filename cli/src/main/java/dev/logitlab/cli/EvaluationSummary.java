package dev.logitlab.cli;

import dev.logitlab.core.defense.DefenseTerm;
import dev.logitlab.events.EvaluationReport;
import java.io.PrintWriter;

/** The readable table of an evaluation report. */
final class EvaluationSummary {

    private final PrintWriter out;

    EvaluationSummary(PrintWriter out) {
        this.out = out;
    }

    void print(EvaluationReport r) {
        out.printf("%nmodel %s on %s: %d examples, seed %d, clean accuracy %.3f%n%n", r.model(), r.dataset(),
                r.examples(), r.seed(), r.cleanAccuracy());
        out.printf("%-12s %6s %8s %9s%n", "attack", "eps", "robust", "seconds");
        for (EvaluationReport.AttackRun a : r.attacks()) {
            out.printf("%-12s %6s %8.3f %9.2f%n", a.name(), DefenseTerm.format(a.eps()), a.robustAccuracy(), a.seconds());
        }
        for (EvaluationReport.WorstCase w : r.worstCase()) {
            out.printf("%-12s %6s %8.3f%n", "worst case", DefenseTerm.format(w.eps()), w.robustAccuracy());
        }
        EvaluationReport.GapSummary g = r.gaps();
        if (g != null) {
            out.printf("%ngaps over %d correctly classified examples (medians):%n", g.examples());
            out.printf("  logit gap %.3f   gradient gap ‖∇z_y − ∇z_j‖₁ %.3f   cosine(∇z_y, ∇z_j) %.3f   logit norm %.3f%n",
                    g.logitGapMedian(), g.gradientGapL1Median(), g.gradientCosineMedian(), g.logitNormMedian());
            out.printf("  minimal ε: predicted (Eq. 4) %.4f   FGSM %.4f   PGD %.4f   Spearman(predicted, FGSM) %.3f%n",
                    g.predictedEpsMedian(), g.fgsmEpsMedian(), g.pgdEpsMedian(), g.spearmanPredictedVsFgsm());
        }
        out.printf("%ngradient masking: %s%n", r.masking().suspected() ? "SUSPECTED" : "not suspected");
        for (EvaluationReport.Check c : r.masking().checks()) {
            out.printf("  [%s] %-30s %s%n", c.passed() ? "pass" : "FAIL", c.name(), c.detail());
        }
        out.flush();
    }
}
