package dev.logitlab.cli;

import dev.logitlab.core.verdict.Gate;
import dev.logitlab.core.verdict.NonInferiority;
import dev.logitlab.core.verdict.NonInferiority.Answer;
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
        description = {"Has the candidate's robustness dropped below the baseline's? Passed, regressed or inconclusive.",
                "Three answers on the paired worst-case outcomes at each budget, with d the change in robust "
                + "accuracy and its one-sided 1 − α bounds: passed when every budget's lower bound is above −max-drop "
                + "and no masking indicator is new; regressed when some budget's upper bound is below −max-drop (α "
                + "shared over the budgets) or an indicator is new; inconclusive otherwise, with the number of "
                + "examples that would decide it.",
                "Baseline and candidate: report files, checkpoint directories or .pt files (evaluated here), or ids."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:passed (or inconclusive with --if-inconclusive pass)",
                "1:regressed, or a new masking indicator", "2:usage error, or not comparable",
                "3:inconclusive (the default --if-inconclusive fail)"})
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

    @Option(names = "--if-inconclusive", defaultValue = "fail", description = "fail (exit 3) or pass (exit 0) when "
            + "the evidence shows neither non-inferiority nor a drop (default: ${DEFAULT-VALUE})")
    Inconclusive ifInconclusive;

    enum Inconclusive { fail, pass }

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
            out.println(line(gate.decisions().get(i), gate.comparison().budgets().get(i).budget()));
        }
        if (!gate.comparison().newIndicators().isEmpty()) {
            out.println("masking indicators new in the candidate: " + String.join(", ", gate.comparison().newIndicators()));
        }
        Answer answer = gate.answer();
        out.println("gate: " + answer.name() + (answer == Answer.INCONCLUSIVE
                ? " (" + decide(gate.examplesToDecide()) + "; --if-inconclusive " + ifInconclusive + ")" : ""));
        out.flush();
        if (junit != null) {
            Files.writeString(junit, GateReports.junit(gate, baseline, candidate));
        }
        if (markdown != null) {
            Files.writeString(markdown, GateReports.markdown(gate, baseline, candidate));
        }
        return switch (answer) {
            case PASSED -> 0;
            case REGRESSED -> 1;
            case INCONCLUSIVE -> ifInconclusive == Inconclusive.pass ? 0 : 3;
        };
    }

    /** One budget's answer with the bounds it rests on. */
    static String line(NonInferiority.Decision d, String budget) {
        String head = String.format(Locale.ROOT, "%-12s %s: change %+.3f, one-sided %.0f%% lower bound %+.3f, "
                + "%.1f%% upper bound %+.3f, margin −%.3f", d.answer().name(), budget, d.difference(),
                100 * (1 - d.alpha()), d.lowerBound(), 100 * (1 - d.regressionAlpha()), d.upperBound(), d.margin());
        return switch (d.answer()) {
            case PASSED -> head + ": not worse by more than the margin";
            case REGRESSED -> head + ": a drop larger than the margin";
            case INCONCLUSIVE -> head + ": neither shown; " + decide(d.examplesToDecide());
        };
    }

    /** What would decide an inconclusive answer, in words. */
    static String decide(int examples) {
        return examples < 0 ? "the change sits on the margin: no number of examples would decide it"
                : String.format(Locale.ROOT, "about %d examples with the same outcome rates would decide it", examples);
    }
}
