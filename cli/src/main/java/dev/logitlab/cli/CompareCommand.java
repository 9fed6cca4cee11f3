package dev.logitlab.cli;

import dev.logitlab.core.verdict.Comparison;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./lab compare A B}: a paired comparison of two checkpoints judged on the same examples. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare two checkpoints example by example: per budget the change in worst-case robust accuracy "
                + "with a paired 95%% interval (Newcombe), the exact McNemar p-value, and the negative flips (examples "
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
        ComparisonTable.print(out, comparison);
        return 0;
    }
}
