package dev.logitlab.cli;

import dev.logitlab.core.verdict.Comparison;
import dev.logitlab.core.verdict.Interval;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A comparison of two checkpoints as ./lab compare and ./lab gate print it: per budget, with intervals and flips. */
final class ComparisonTable {

    private ComparisonTable() {
    }

    static void print(PrintWriter out, Comparison comparison) {
        out.printf("%-14s %-22s %-22s %-26s %9s %s%n", "budget", "baseline [95%]", "candidate [95%]",
                "change [paired 95%]", "McNemar p", "negative flips");
        for (Comparison.BudgetChange b : comparison.budgets()) {
            out.printf(Locale.ROOT, "%-14s %-22s %-22s %-26s %9.4f %d (%.1f%%)%n", b.budget(),
                    accuracy(b.outcomes().baselineAccuracy(), b.baseline()),
                    accuracy(b.outcomes().candidateAccuracy(), b.candidate()),
                    String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", b.outcomes().difference(), b.difference().lower(),
                            b.difference().upper()), b.mcNemarP(), b.outcomes().baselineOnly(),
                    100 * b.outcomes().negativeFlipRate());
        }
        for (Comparison.BudgetChange b : comparison.budgets()) {
            if (b.outcomes().negativeFlips().length > 0) {
                out.printf("negative flips at %s (example indices): %s%n", b.budget(), indices(b.outcomes().negativeFlips()));
            }
        }
        out.println(comparison.newIndicators().isEmpty() ? "masking indicators: none new in the candidate"
                : "masking indicators new in the candidate: " + String.join(", ", comparison.newIndicators()));
        out.flush();
    }

    static String accuracy(double value, Interval interval) {
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", value, interval.lower(), interval.upper());
    }

    static String indices(int[] indices) {
        String shown = Arrays.stream(indices).limit(40).mapToObj(Integer::toString).collect(Collectors.joining(" "));
        return indices.length > 40 ? shown + " … (" + indices.length + " in all)" : shown;
    }
}
