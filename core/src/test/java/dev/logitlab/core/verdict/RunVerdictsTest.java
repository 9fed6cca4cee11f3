package dev.logitlab.core.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.verdict.BestCheckpoint.Judged;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Verdicts, best checkpoints and the leaderboard on hand-made reports whose outcomes decide each case clearly. */
class RunVerdictsTest {

    static final RunSpec.Evaluation NO_BASELINE = new RunSpec.Evaluation(List.of(0.1), "pgd", 200, 0);

    @Test
    void aCandidateFarBelowItsNamedBaselineRegressesOneEqualToItPasses() {
        Judged baseline = judged("base", 1, 120, false);
        RunSpec.Evaluation plan = plan("base/epoch-001", 0.02);
        Verdict weaker = RunVerdicts.judge(judged("cand", 1, 80, false), List.of(), plan, Optional.of(baseline));
        assertEquals("regressed", weaker.kind(), weaker.reason());
        assertEquals("base/epoch-001", weaker.baseline());
        assertEquals(-0.2, weaker.budgets().get(0).difference(), 1e-12);
        assertEquals(40, weaker.budgets().get(0).negativeFlips());
        assertTrue(weaker.budgets().get(0).mcNemarP() < 1e-9);

        // 119 of the baseline's 120 and one more elsewhere: within 0.02 with room to spare.
        Verdict same = RunVerdicts.judge(new Judged("cand", "cand/epoch-001", 1, "x",
                report(withFlip(robust(120)), false)), List.of(), plan, Optional.of(baseline));
        assertEquals("passed", same.kind(), same.reason());
    }

    @Test
    void maskingIsNamedAndABaselineUnderAnotherProtocolIsSaidToBe() {
        Verdict masked = RunVerdicts.judge(judged("r", 1, 100, true), List.of(), NO_BASELINE, Optional.empty());
        assertEquals("masking-suspected", masked.kind());
        assertEquals(List.of("loss-saturation"), masked.indicators());
        assertNull(masked.baseline());

        Judged other = new Judged("o", "o/epoch-001", 1, "plain", report("1".repeat(50) + "0".repeat(50), false));
        Verdict incomparable = RunVerdicts.judge(judged("r", 1, 100, false), List.of(), plan("o/epoch-001", 0.01),
                Optional.of(other));
        assertEquals("passed", incomparable.kind());
        assertTrue(incomparable.reason().contains("another protocol"), incomparable.reason());
    }

    @Test
    void aLaterCheckpointSignificantlyBelowTheRunsBestIsRobustOverfittingNamingBothEpochs() {
        Judged e1 = judged("run", 1, 90, false);
        Judged e2 = judged("run", 2, 130, false);
        Judged e3 = judged("run", 3, 85, false);
        Verdict v = RunVerdicts.judge(e3, List.of(e1, e2), NO_BASELINE, Optional.empty());
        assertEquals("robust-overfitting", v.kind(), v.reason());
        assertTrue(v.reason().contains("epoch 3") && v.reason().contains("epoch 2"), v.reason());
        assertEquals("run/epoch-002", v.best());
        // With "best" as the baseline the same comes from the gate against the best so far.
        Verdict gated = RunVerdicts.judge(e3, List.of(e1, e2), plan(RunSpec.Evaluation.BEST, 0.01), Optional.empty());
        assertEquals("robust-overfitting", gated.kind(), gated.reason());
        assertEquals("run/epoch-002", gated.baseline());
        // The best itself, and an epoch within noise of it, pass.
        assertEquals("passed", RunVerdicts.judge(e2, List.of(e1), NO_BASELINE, Optional.empty()).kind());
        Judged close = judged("run", 4, 128, false);
        assertEquals("passed", RunVerdicts.judge(close, List.of(e1, e2), NO_BASELINE, Optional.empty()).kind());
    }

    @Test
    void theLeaderboardRanksRunsUnderOneProtocolAndMarksWhatItCannotSeparate() {
        List<Judged> reports = List.of(judged("weak", 1, 60, false), judged("strong", 1, 150, false),
                judged("strong", 2, 140, false), judged("close", 1, 145, false),
                new Judged("other", "other/epoch-001", 1, "plain", report("1".repeat(50), false)));
        List<Leaderboard.Table> tables = Leaderboard.of(reports);
        assertEquals(2, tables.size(), "the 50-example run is ranked apart");
        List<Leaderboard.Row> rows = tables.get(0).rows();
        assertEquals(List.of("strong", "close", "weak"), rows.stream().map(Leaderboard.Row::runId).toList());
        assertEquals("strong/epoch-001", rows.get(0).checkpointId(), "a run's row is its best checkpoint");
        assertTrue(rows.get(0).separable());
        assertFalse(rows.get(1).separable(), "0.725 against 0.75 on 200 examples: within noise");
        assertTrue(rows.get(2).separable(), "0.30 is clearly below");
        String csv = Leaderboard.csv(tables);
        assertTrue(csv.startsWith("protocol,rank,runId"), csv);
        assertEquals(1 + 4, csv.lines().count());
        assertEquals("\"'=cmd\"", Leaderboard.quote("=cmd"), "no formula reaches a spreadsheet");
    }

    static RunSpec.Evaluation plan(String baseline, double maxDrop) {
        return new RunSpec.Evaluation(List.of(0.1), List.of(), "pgd", 200, 0, baseline, maxDrop);
    }

    /** A 200-example report, robust on the first {@code robust} examples. */
    static Judged judged(String run, int epoch, int robust, boolean masked) {
        return new Judged(run, run + "/epoch-00" + epoch, epoch, "ls=0.5", report(robust(robust), masked));
    }

    static String robust(int k) {
        return "1".repeat(k) + "0".repeat(200 - k);
    }

    /** The same outcomes with the first robust example lost and the first broken one won. */
    static String withFlip(String outcomes) {
        char[] c = outcomes.toCharArray();
        c[0] = '0';
        c[outcomes.indexOf('0')] = '1';
        return new String(c);
    }

    static EvaluationReport report(String worst, boolean masked) {
        double accuracy = worst.chars().filter(ch -> ch == '1').count() / (double) worst.length();
        List<EvaluationReport.Check> checks = masked
                ? List.of(new EvaluationReport.Check("loss-saturation", false, "evidence"))
                : List.of(new EvaluationReport.Check("loss-saturation", true, ""));
        return new EvaluationReport(EvaluationReport.SCHEMA, "m", "fashion-mnist", worst.length(), 0, 0.9,
                List.of(new EvaluationReport.AttackRun("pgd", "linf", 0.1, accuracy, 1, Map.of("steps", 10), worst)),
                List.of(new EvaluationReport.WorstCase("linf", 0.1, accuracy, worst, ClopperPearson.of(worst).toList())),
                null, new EvaluationReport.Masking(masked, checks), List.of(0.85, 0.95));
    }
}
