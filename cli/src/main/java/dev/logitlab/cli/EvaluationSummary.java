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
        out.printf("%nmodel %s on %s: %d examples, seed %d, clean accuracy %.3f %s%n%n", r.model(), r.dataset(),
                r.examples(), r.seed(), r.cleanAccuracy(), interval(r.cleanInterval()));
        out.printf("%-12s %-5s %6s %8s %-16s %9s%n", "attack", "norm", "eps", "robust", "95% interval", "seconds");
        boolean after = false;
        for (EvaluationReport.AttackRun a : r.attacks()) {
            Object attacked = a.params() == null ? null : a.params().get("attacked");
            after |= attacked != null;
            out.printf("%-12s %-5s %6s %8.3f %-16s %9.2f%s%n", a.name(), a.norm(), DefenseTerm.format(a.eps()),
                    a.robustAccuracy(), interval(a.interval()), a.seconds(),
                    attacked == null ? "" : "  * on the " + attacked + " left robust");
        }
        for (EvaluationReport.WorstCase w : r.worstCase()) {
            out.printf("%-12s %-5s %6s %8.3f %-16s%s%n", "worst case", w.norm(), DefenseTerm.format(w.eps()),
                    w.robustAccuracy(), interval(w.interval()), beyondTheAttacks(w));
        }
        out.printf("(95%% intervals are exact binomial, Clopper–Pearson, over the %d examples)%n", r.examples());
        for (EvaluationReport.WorstCase w : r.worstCase()) {
            EvaluationReport.SingleDraw s = w.singleDraw();
            if (s != null) {
                out.printf("as deployed %-5s %6s: robust on all %d single draws %.3f; expected accuracy of one draw %.3f %s%n",
                        w.norm(), DefenseTerm.format(w.eps()), s.draws(), w.robustAccuracy(), s.expected(),
                        interval(s.interval()));
            }
        }
        if (after) {
            out.printf("(* gradient-free, run after the gradient attacks on what they all left robust: its row is the "
                    + "suite's accuracy after it)%n");
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

    /** The breaks the worst case owes to procedures other than this budget's attacks, e.g. "  (+2 the ε sweep)". */
    static String beyondTheAttacks(EvaluationReport.WorstCase w) {
        if (w.foundBy() == null) {
            return "";
        }
        java.util.List<String> more = w.foundBy().entrySet().stream().filter(e -> !e.getKey().equals("attacks"))
                .map(e -> "+" + e.getValue() + " " + e.getKey()).toList();
        return more.isEmpty() ? "" : "  (breaks beyond the attacks: " + String.join(", ", more) + ")";
    }

    /** {@code [0.090, 0.210]}, or nothing for reports written before intervals. */
    static String interval(java.util.List<Double> bounds) {
        return bounds == null || bounds.size() != 2 ? ""
                : String.format(java.util.Locale.ROOT, "[%.3f, %.3f]", bounds.get(0), bounds.get(1));
    }

    /** A quantile, or "> ε_max" where the censoring hides it. */
    private static String q(Double value, EvaluationReport.MinimalEps m) {
        return value == null ? "> " + DefenseTerm.format(m.maxEps()) : String.format(java.util.Locale.ROOT, "%.4f", value);
    }
}
