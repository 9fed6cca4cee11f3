package dev.logitlab.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.logitlab.core.evaluation.AnalysisPhase;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.Passes;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A family's row: the attacks' passes summed per side, their ratio, and what each side broke that the other missed. */
class BenchSuitesRowTest {

    @Test
    void theRatioIsOfTheAttacksPassesAndTheMissesAreCountedExampleByExample() {
        // reference: 2 attacks, 1,000 + 600 forward and 800 + 600 backward = 3,000 passes; breaks examples 1, 2, 4
        EvaluationReport reference = report("x0010", new Passes(1000, 800), new Passes(600, 600));
        // suite: 1 attack, 450 + 150 = 600 passes = 0.2×; breaks examples 1 and 3
        EvaluationReport suite = report("x0101", new Passes(450, 150));
        BenchSuitesCommand.Row row = BenchSuitesCommand.row("plain", 0.1, "autoattack",
                BenchSuitesCommand.Side.of(reference), "default", BenchSuitesCommand.Side.of(suite));
        assertEquals(new Passes(1600, 1400), row.referencePasses());
        assertEquals(0.2, row.ratio(), 1e-12);
        assertEquals(2, row.missedBySuite(), "examples 2 and 4: broken by the reference only");
        assertEquals(1, row.missedByReference(), "example 3: broken by the suite only");
        assertEquals(0.2, row.referenceRobust(), 1e-12);
        assertEquals(5, row.images());
    }

    @Test
    void theEscalatedSquareCountsTheSweepAndTheChecksDoNot() {
        EvaluationReport report = report("x01", new Passes(100, 50)).withTimeline(List.of(
                new EvaluationReport.Stage("attack a", 1, new Passes(100, 50)),
                new EvaluationReport.Stage("ε sweep (PGD-20, masking checks)", 1, new Passes(999, 999)),
                new EvaluationReport.Stage("analysis: " + AnalysisPhase.ESCALATION, 1, new Passes(400, 0)),
                new EvaluationReport.Stage("analysis: " + AnalysisPhase.INCOMPLETE, 1, new Passes(77, 77))));
        assertEquals(new Passes(500, 50), BenchSuitesCommand.attackPasses(report));
    }

    /** A report whose attacks and timeline each cost {@code passes}. */
    private static EvaluationReport report(String worst, Passes... passes) {
        List<EvaluationReport.AttackRun> runs = Arrays.stream(passes).map(p -> new EvaluationReport.AttackRun("a",
                "linf", 0.1, 0.5, 1, Map.of(), worst, null, p)).toList();
        double accuracy = worst.chars().filter(c -> c == '1').count() / (double) worst.length();
        return new EvaluationReport(EvaluationReport.SCHEMA, "m", "d", worst.length(), 0, 0.8, runs,
                List.of(new EvaluationReport.WorstCase("linf", 0.1, accuracy, worst, null)), null, null)
                .withTimeline(Arrays.stream(passes).map(p -> new EvaluationReport.Stage("attack a", 1, p)).toList());
    }
}
