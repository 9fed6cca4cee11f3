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
        // On the held-out half (odd examples): 65 of 100 against 42; 23 lost, none gained: p = 2⁻²³, times 3·2.
        assertEquals(100, v.overfitting().examples());
        assertEquals(0.65, v.overfitting().best(), 1e-12);
        assertEquals(0.42, v.overfitting().accuracy(), 1e-12);
        assertEquals(Math.pow(0.5, 23), v.overfitting().dropP(), 1e-15);
        assertEquals(6 * Math.pow(0.5, 23), v.overfitting().adjustedP(), 1e-15);
        assertEquals(3, v.overfitting().place());
        // With "best" as the baseline the same comes out, the best so far named as the baseline.
        Verdict gated = RunVerdicts.judge(e3, List.of(e1, e2), plan(RunSpec.Evaluation.BEST, 0.01), Optional.empty());
        assertEquals("robust-overfitting", gated.kind(), gated.reason());
        assertEquals("run/epoch-002", gated.baseline());
        assertEquals(100, gated.overfitting().examples());
        // The best itself passes; an epoch within noise of it is no overfitting, and against the best so far on 100
        // held-out examples it is inconclusive, not a regression.
        assertEquals("passed", RunVerdicts.judge(e2, List.of(e1), NO_BASELINE, Optional.empty()).kind());
        Judged close = judged("run", 4, 128, false);
        assertEquals("passed", RunVerdicts.judge(close, List.of(e1, e2), NO_BASELINE, Optional.empty()).kind());
        Verdict closeToBest = RunVerdicts.judge(close, List.of(e1, e2), plan(RunSpec.Evaluation.BEST, 0.01),
                Optional.empty());
        assertEquals("inconclusive", closeToBest.kind(), closeToBest.reason());
        assertTrue(closeToBest.reason().contains("examples would decide it"), closeToBest.reason());
        assertEquals("inconclusive", closeToBest.budgets().get(0).answer());
    }

    @Test
    void theSameModelUploadedFourTimesAgainstTheBestGetsNoOverfittingOrRegression() {
        // Seen: the same file as steps 1-4 with "best" as the baseline, 150 examples, robust near 0.15; steps 2-4 were
        // each called robust-overfitting by a non-inferiority test that equal outcomes fail at this size.
        String outcomes = "1".repeat(23) + "0".repeat(127);
        List<Judged> steps = new java.util.ArrayList<>();
        for (int step = 1; step <= 4; step++) {
            Judged j = new Judged("same", "same/step-00000" + step, step, "x", report(outcomes, false));
            Verdict v = RunVerdicts.judge(j, List.copyOf(steps), plan(RunSpec.Evaluation.BEST, 0.01), Optional.empty());
            assertTrue(v.kind().equals("passed") || v.kind().equals("inconclusive"), v.kind() + ": " + v.reason());
            assertEquals("same/step-000001", v.best(), "the earliest on a tie");
            steps.add(j);
        }
    }

    @Test
    void theBestIsChosenOnTheEvenExamplesAndOnlyUnderTheCurrentProtocol() {
        // e1 is better on the even (selection) half, e2 on all examples thanks to its odd ones: e1 is the best.
        String e1 = "10".repeat(50) + "0".repeat(100);          // 50 robust, all even
        String e2 = "01".repeat(30) + "1".repeat(10) + "0".repeat(130); // 40 robust: 30 odd, 10 half and half
        Judged first = new Judged("r", "r/epoch-001", 1, "x", report(e1, false));
        Judged second = new Judged("r", "r/epoch-002", 2, "x", report(e2, false));
        assertEquals("r/epoch-001", BestCheckpoint.of(List.of(first, second)).orElseThrow().checkpointId());
        assertEquals(0, BestCheckpoint.accuracy(BestCheckpoint.heldOutHalf(e1)), "reported where it was not chosen");
        // A checkpoint judged under another protocol (50 examples) is never the best of this one's.
        Judged other = new Judged("r", "r/epoch-003", 3, "x", report("1".repeat(50), false));
        Verdict v = RunVerdicts.judge(second, List.of(first, other), NO_BASELINE, Optional.empty());
        assertEquals("r/epoch-001", v.best());
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
        // Chosen among two, strong reports its held-out half, 75 of 100; so does every row of its table, on the same
        // examples: close 72 of 100.
        assertTrue(rows.get(0).heldOut() && rows.get(1).heldOut());
        assertEquals(100, rows.get(0).examples());
        assertEquals(0.75, rows.get(0).robust(), 1e-12);
        assertEquals(100, rows.get(1).examples());
        assertEquals(0.72, rows.get(1).robust(), 1e-12);
        // Strong and close differ on 3 of those: McNemar p = 0.25, which Holm over the two tests leaves at 0.25.
        assertEquals(0.25, rows.get(1).pValue(), 1e-12);
        assertFalse(rows.get(1).separable(), "within noise");
        assertFalse(rows.get(0).separable(), "the leader cannot be told from the runner-up either");
        assertTrue(rows.get(2).separable(), "0.30 is clearly below");
        String csv = Leaderboard.csv(tables);
        assertTrue(csv.startsWith("protocol,rank,runId"), csv);
        assertEquals(1 + 4, csv.lines().count());
        // Holm by hand: sorted 0.1, 0.1, 0.25, 0.5 times 4, 3, 2, 1 is 0.4, 0.3, 0.5, 0.5, each at least the one before.
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0.5, 0.4, 0.5, 0.4},
                Holm.adjust(new double[] {0.25, 0.1, 0.5, 0.1}), 1e-12);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0.3, Double.NaN},
                Holm.adjust(new double[] {0.3, Double.NaN}), 1e-12, "no test counts in no family");
        assertEquals("\"'=cmd\"", Leaderboard.quote("=cmd"), "no formula reaches a spreadsheet");
    }

    @Test
    void rowsThatShareTheirExamplesAreTestedPairedNotByOverlappingIntervals() {
        // 0.50 against 0.47 on 500 examples: the intervals overlap, but the 15 discordant examples all favour the
        // leader, so the paired p is 2·2⁻¹⁵.
        String leader = "1".repeat(250) + "0".repeat(250);
        String second = "1".repeat(235) + "0".repeat(265);
        List<Leaderboard.Row> rows = Leaderboard.of(List.of(new Judged("a", "a/1", 1, "x", report(leader, false)),
                new Judged("b", "b/1", 1, "x", report(second, false)))).get(0).rows();
        assertTrue(Interval.of(rows.get(0).robustInterval()).overlaps(Interval.of(rows.get(1).robustInterval())));
        assertEquals(2 * Math.pow(0.5, 15), rows.get(1).pValue(), 1e-12);
        assertTrue(rows.get(1).separable());
        // A row without per-example outcomes (an older report) is tested unpaired: Fisher's exact test.
        EvaluationReport old = new EvaluationReport(EvaluationReport.SCHEMA, "m", "fashion-mnist", 500, 0, 0.9,
                report(second, false).attacks(), List.of(new EvaluationReport.WorstCase("linf", 0.1, 0.47)), null,
                new EvaluationReport.Masking(false, List.of()), null);
        rows = Leaderboard.of(List.of(new Judged("a", "a/1", 1, "x", report(leader, false)),
                new Judged("b", "b/1", 1, "x", old))).get(0).rows();
        assertEquals(FisherExact.twoSided(235, 500, 250, 500), rows.get(1).pValue(), 1e-12);
        assertFalse(rows.get(1).separable(), "unpaired, 0.50 against 0.47 on 500 each is within noise");
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
