package dev.logitlab.cli;

import dev.logitlab.core.verdict.Gate;
import dev.logitlab.core.verdict.NonInferiority;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./lab gate}: a CI step that fails when robustness regressed. */
@Command(name = "gate", mixinStandardHelpOptions = true,
        description = {"Pass when the candidate is not worse than the baseline by more than --max-drop at any budget "
                + "(a non-inferiority test on the paired worst-case outcomes: the lower bound of the one-sided "
                + "1 − α interval of the change must be above −max-drop) and raises no masking indicator the baseline "
                + "did not.",
                "Baseline and candidate: report files, checkpoint directories or .pt files (evaluated here), or ids."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:not worse", "1:regressed, or a new masking indicator", "2:usage error, or not comparable"})
final class GateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--baseline", required = true)
    String baseline;

    @Option(names = "--candidate", required = true)
    String candidate;

    @Option(names = "--max-drop", defaultValue = "0.01", description = "margin δ in [0, 1] (default: ${DEFAULT-VALUE})")
    double maxDrop;

    @Option(names = "--alpha", defaultValue = "0.05", description = "one-sided error rate (default: ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--junit", description = "write the decision as JUnit XML (Jenkins, GitLab)")
    Path junit;

    @Option(names = "--markdown", description = "write the decision as Markdown (a pull-request comment)")
    Path markdown;

    @Mixin
    ReportSource sources;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Gate gate;
        try {
            if (!(maxDrop >= 0 && maxDrop <= 1)) {
                throw new IllegalArgumentException("--max-drop must be in [0, 1], got " + maxDrop);
            }
            gate = Gate.of(sources.load(baseline), sources.load(candidate), maxDrop, alpha);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 2;
        }
        ComparisonTable.print(out, gate.comparison());
        for (int i = 0; i < gate.decisions().size(); i++) {
            NonInferiority.Decision d = gate.decisions().get(i);
            out.printf(Locale.ROOT, "%s %s: change %+.3f, one-sided %.0f%% lower bound %+.3f %s −%.3f%n",
                    d.notWorse() ? "PASS" : "FAIL", gate.comparison().budgets().get(i).budget(), d.difference(),
                    100 * (1 - alpha), d.lowerBound(), d.notWorse() ? ">" : "≤", maxDrop);
            if (!d.notWorse() && d.outcomes().baselineOnly() + d.outcomes().candidateOnly() <= 2) {
                out.printf(Locale.ROOT, "     (nearly no example differs: %d examples cannot show a drop under %.3f; "
                        + "use more examples or a larger --max-drop)%n", d.outcomes().examples(), -d.lowerBound());
            }
        }
        out.println(gate.passed() ? "gate: passed" : "gate: FAILED");
        out.flush();
        if (junit != null) {
            Files.writeString(junit, GateReports.junit(gate, baseline, candidate));
        }
        if (markdown != null) {
            Files.writeString(markdown, GateReports.markdown(gate, baseline, candidate));
        }
        return gate.passed() ? 0 : 1;
    }
}
