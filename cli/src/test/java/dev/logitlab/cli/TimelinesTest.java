package dev.logitlab.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.Passes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --timings}: seconds and passes per stage, summed over reports; a report that did not count says so. */
class TimelinesTest {

    @Test
    void passesAreSummedPerStageAndOverTheWhole() {
        // two reports: fgsm 400 + 600 forward, 100 + 150 backward; the checks none; the wall stage is not compute
        String printed = print(List.of(
                report(new EvaluationReport.Stage("wall: until the last shard", 9, null),
                        new EvaluationReport.Stage("attack fgsm", 1.5, new Passes(400, 100)),
                        new EvaluationReport.Stage("analysis: masking checks", 0.5, Passes.NONE)),
                report(new EvaluationReport.Stage("attack fgsm", 2.5, new Passes(600, 150)))));
        assertTrue(printed.contains("4.5 s of compute, 1,000 forward + 250 backward example-passes"), printed);
        assertTrue(printed.matches("(?s).*attack fgsm +4\\.0 s +88\\.9% +1,000 +250\\n.*"), printed);
        assertTrue(printed.matches("(?s).*wall: until the last shard +9\\.0 s +\\(wall\\) +– +–\\n.*"), printed);
    }

    @Test
    void aReportWithoutPassesMakesTheTotalUnknownNotSmaller() {
        String printed = print(List.of(report(new EvaluationReport.Stage("attack fgsm", 1, new Passes(40, 10))),
                report(new EvaluationReport.Stage("attack fgsm", 1))));
        assertTrue(printed.contains("passes not counted"), printed);
        assertTrue(printed.matches("(?s).*attack fgsm +2\\.0 s +100\\.0% +– +–\\n.*"), printed);
    }

    private static String print(List<EvaluationReport> reports) {
        StringWriter out = new StringWriter();
        Timelines.print(new PrintWriter(out), "where the time went", reports);
        return out.toString();
    }

    private static EvaluationReport report(EvaluationReport.Stage... stages) {
        return new EvaluationReport(EvaluationReport.SCHEMA, "m", "d", 10, 0, 1.0, List.of(), List.of(), null, null)
                .withTimeline(List.of(stages));
    }
}
