package dev.logitlab.cli;

import dev.logitlab.core.verdict.Comparison;
import dev.logitlab.core.verdict.Interval;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./lab compare A B}: a paired comparison of two checkpoints judged on the same examples. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare two checkpoints example by example: per budget the change in worst-case robust accuracy "
                + "with a paired 95% interval (Newcombe), the exact McNemar p-value, and the negative flips (examples "
                + "the baseline withstood and the candidate loses).",
                "A and B: report files, checkpoint directories or .pt files (evaluated here), or checkpoint ids."},
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:compared", "2:not comparable, or a usage error"})
final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BASELINE")
    String baseline;

    @Parameters(index = "1", paramLabel = "CANDIDATE")
    String candidate;

    @Mixin
    ReportSource sources;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Comparison comparison;
        try {
            comparison = Comparison.of(sources.load(baseline), sources.load(candidate));
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 2;
        }
        print(out, comparison);
        return 0;
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
