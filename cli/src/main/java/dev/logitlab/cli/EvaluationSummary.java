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
        out.printf("%-12s %-5s %6s %8s %9s%n", "attack", "norm", "eps", "robust", "seconds");
        for (EvaluationReport.AttackRun a : r.attacks()) {
            out.printf("%-12s %-5s %6s %8.3f %9.2f%n", a.name(), a.norm(), DefenseTerm.format(a.eps()),
                    a.robustAccuracy(), a.seconds());
        }
        for (EvaluationReport.WorstCase w : r.worstCase()) {
            out.printf("%-12s %-5s %6s %8.3f%n", "worst case", w.norm(), DefenseTerm.format(w.eps()), w.robustAccuracy());
        }
        EvaluationReport.GapSummary g = r.gaps();
        if (g != null) {
            out.printf("%ngaps over %d correctly classified examples (medians):%n", g.examples());
            out.printf("  logit gap %.3f   gradient gap ‖∇z_y − ∇z_j‖₁ %.3f   cosine(∇z_y, ∇z_j) %.3f   logit norm %.3f%n",
                    g.logitGapMedian(), g.gradientGapL1Median(), g.gradientCosineMedian(), g.logitNormMedian());
            out.printf("  minimal ε predicted by Eq. 4: median %.4f%n", g.predictedEpsMedian());
            if (g.minimalEps() != null) {
                out.printf("  %-6s %-5s %9s %9s %9s %10s %10s%n", "attack", "norm", "q25", "median", "q75",
                        "censored", "Spearman*");
                for (EvaluationReport.MinimalEps m : g.minimalEps()) {
                    out.printf("  %-6s %-5s %9s %9s %9s %4d (%2.0f%%) %10.3f%n", m.attack(), m.norm(), q(m.q25(), m),
                            q(m.median(), m), q(m.q75(), m), m.censored(), 100 * m.censoredFraction(),
                            m.spearmanWithPredicted());
                }
                out.printf("  censored: not broken up to ε_max (%s); quantiles are Kaplan–Meier, * Spearman with Eq. 4's "
                        + "prediction in the same norm, censored tied at ε_max%n", String.join(", ", g.minimalEps().stream()
                        .map(m -> m.norm() + " " + DefenseTerm.format(m.maxEps())).distinct().toList()));
            }
        }
        out.printf("%ngradient masking: %s%n", r.masking().suspected() ? "SUSPECTED" : "not suspected");
        for (EvaluationReport.Check c : r.masking().checks()) {
            out.printf("  [%s] %-30s %s%s%n", c.passed() ? "pass" : "FAIL", c.name(), c.detail(),
                    c.passed() || c.fix() == null ? "" : " → fix: " + c.fix());
        }
        out.flush();
    }

    /** A quantile, or "> ε_max" where the censoring hides it. */
    private static String q(Double value, EvaluationReport.MinimalEps m) {
        return value == null ? "> " + DefenseTerm.format(m.maxEps()) : String.format(java.util.Locale.ROOT, "%.4f", value);
    }
}
