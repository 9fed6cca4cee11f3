package dev.logitlab.cli;

import dev.logitlab.core.verdict.Comparison;
import dev.logitlab.core.verdict.Gate;
import dev.logitlab.core.verdict.NonInferiority;
import java.util.Locale;

/** The gate's decision for CI systems: JUnit XML (one test case per budget, one for masking) and Markdown. */
final class GateReports {

    private GateReports() {
    }

    static String junit(Gate gate, String baseline, String candidate) {
        StringBuilder cases = new StringBuilder();
        int failures = 0;
        int skipped = 0;
        for (int i = 0; i < gate.decisions().size(); i++) {
            NonInferiority.Decision d = gate.decisions().get(i);
            String budget = gate.comparison().budgets().get(i).budget();
            cases.append("    <testcase classname=\"logitlab.gate\" name=\"").append(xml("robustness " + budget))
                    .append("\">");
            if (d.answer() == NonInferiority.Answer.REGRESSED) {
                failures++;
                cases.append("<failure message=\"").append(xml(GateCommand.line(d, budget))).append("\"/>");
            } else if (d.answer() == NonInferiority.Answer.INCONCLUSIVE) {
                // JUnit's third state: neither a pass nor a failure, shown apart by Jenkins and GitLab.
                skipped++;
                cases.append("<skipped message=\"").append(xml(GateCommand.line(d, budget))).append("\"/>");
            }
            cases.append("</testcase>\n");
        }
        cases.append("    <testcase classname=\"logitlab.gate\" name=\"no new masking indicator\">");
        if (!gate.comparison().newIndicators().isEmpty()) {
            failures++;
            cases.append("<failure message=\"").append(xml("new in the candidate: "
                    + String.join(", ", gate.comparison().newIndicators()))).append("\"/>");
        }
        cases.append("</testcase>\n");
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"" + xml("logitlab gate: " + candidate
                + " against " + baseline) + "\" tests=\"" + (gate.decisions().size() + 1) + "\" failures=\"" + failures
                + "\" errors=\"0\" skipped=\"" + skipped + "\">\n" + cases + "</testsuite>\n";
    }

    static String markdown(Gate gate, String baseline, String candidate) {
        StringBuilder md = new StringBuilder();
        md.append("### logitlab gate: ").append(switch (gate.answer()) {
            case PASSED -> "passed ✅";
            case REGRESSED -> "regressed ❌";
            case INCONCLUSIVE -> "inconclusive ⚠️ (" + GateCommand.decide(gate.examplesToDecide()) + ")";
        }).append("\n\n");
        md.append("Candidate `").append(candidate.replace("`", "'")).append("` against baseline `")
                .append(baseline.replace("`", "'")).append(String.format(Locale.ROOT,
                        "`; margin %.3f, one-sided α %.2f (a drop: α/%d per budget).%n%n", gate.margin(), gate.alpha(),
                        gate.decisions().size()));
        md.append("| budget | baseline | candidate | change [paired 95%] | McNemar p | negative flips | verdict |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < gate.decisions().size(); i++) {
            Comparison.BudgetChange b = gate.comparison().budgets().get(i);
            NonInferiority.Decision d = gate.decisions().get(i);
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %+.3f [%+.3f, %+.3f] | %.4f | %d | %s |%n",
                    b.budget(), ComparisonTable.accuracy(b.outcomes().baselineAccuracy(), b.baseline()),
                    ComparisonTable.accuracy(b.outcomes().candidateAccuracy(), b.candidate()), b.outcomes().difference(),
                    b.difference().lower(), b.difference().upper(), b.mcNemarP(), b.outcomes().baselineOnly(),
                    switch (d.answer()) {
                        case PASSED -> "not worse";
                        case REGRESSED -> "**regressed**";
                        case INCONCLUSIVE -> "inconclusive";
                    }));
        }
        md.append("\nMasking indicators new in the candidate: ").append(gate.comparison().newIndicators().isEmpty()
                ? "none" : "**" + String.join(", ", gate.comparison().newIndicators()) + "**").append("\n");
        return md.toString();
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
