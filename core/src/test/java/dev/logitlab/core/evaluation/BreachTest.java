package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.logitlab.events.EvaluationReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The breach on outcome strings worked out by hand (ten examples, exact McNemar on the discordant ones). */
class BreachTest {

    @Test
    void aDefenseAbovePlainOnlyUnderTheWeakEvaluationIsTheBreachWhenEnoughExamplesShowBothLegs() {
        // 400 examples. Weak: plain withstands 100, the defense those and 100 more (b = 100 defense-only, c = 0):
        // one-sided p = P[Bin(100, ½) ≥ 100] = 2⁻¹⁰⁰. Full: the same 80 for both, no discordant example: Newcombe's
        // one-sided 95% upper bound of the difference is z²·|1 − 2p|/(n + z²) = 1.6449²·0.6/(400 + 1.6449²) ≈ 0.00402,
        // under the 0.02 margin.
        AttackStrengthGap plain = gap(ones(100, 400), ones(80, 400));
        Breach.Row row = Breach.of(gap(ones(200, 400), ones(80, 400)), plain).rows().get(0);
        assertEquals(0.25, row.weakOverPlain(), 1e-12);
        assertEquals(Math.pow(0.5, 100), row.weakOverPlainP(), 1e-40);
        assertEquals(0, row.fullOverPlain(), 1e-12);
        double z = 1.6448536269514722;
        assertEquals(z * z * 0.6 / (400 + z * z), row.fullUpper(), 1e-9);
        assertEquals(Breach.SHOWN, row.answer());
        // the drop from weak to full: 120 examples only the weak run left, none the other way
        assertEquals(Math.pow(0.5, 120), row.dropP(), 1e-45);
    }

    @Test
    void tenExamplesCannotShowThatTheDefenseFellToPlainsLevel() {
        // Weak: 6 defense-only examples, one-sided p = 2⁻⁶ = 1/64. Full: identical, but at n = 10 the upper bound is
        // 1.6449²·0.6/(10 + 1.6449²) ≈ 0.128, far above the margin: not shown, never "shown" for want of evidence.
        AttackStrengthGap plain = gap("1111000000", "1100000000");
        Breach.Row row = Breach.of(gap("1111111111", "1100000000"), plain).rows().get(0);
        assertEquals(1 / 64.0, row.weakOverPlainP(), 1e-12);
        assertEquals(Breach.NOT_SHOWN, row.answer());
    }

    @Test
    void aGainThatHoldsUnderTheFullSuiteOrNoGainUnderTheWeakOneRefutesIt() {
        AttackStrengthGap plain = gap(ones(100, 400), ones(80, 400));
        // full: the defense withstands 200, plain 80: the lower bound of the difference is well above 0
        assertEquals(Breach.REFUTED, Breach.of(gap(ones(250, 400), ones(200, 400)), plain).rows().get(0).answer());
        // weak: the defense withstands 20 of plain's 100 and nothing else: the upper bound is below 0
        assertEquals(Breach.REFUTED, Breach.of(gap(ones(20, 400), ones(20, 400)), plain).rows().get(0).answer());
    }

    @Test
    void aModelFarBelowPlainsCleanAccuracyDidNotTrainAndIsNotJudged() {
        // clean 0.55 against plain's 0.8: more than 0.2 below; the same outcomes at clean 0.65 are judged (refuted)
        AttackStrengthGap plain = gap(ones(100, 400), ones(80, 400), 0.8);
        assertEquals(Breach.DID_NOT_TRAIN, Breach.of(gap(ones(20, 400), ones(20, 400), 0.55), plain).rows().get(0)
                .answer());
        assertEquals(Breach.REFUTED, Breach.of(gap(ones(20, 400), ones(20, 400), 0.65), plain).rows().get(0).answer());
    }

    static String ones(int robust, int of) {
        return "1".repeat(robust) + "0".repeat(of - robust);
    }

    static AttackStrengthGap gap(String weak, String full) {
        return gap(weak, full, 1.0);
    }

    /** A model's two evaluations on one ℓ∞ budget (ε = 0.1) from its per-example outcomes, at a clean accuracy. */
    static AttackStrengthGap gap(String weak, String full, double clean) {
        return AttackStrengthGap.of(report(weak, clean), report(full, clean));
    }

    private static EvaluationReport report(String robust, double clean) {
        double accuracy = robust.chars().filter(c -> c == '1').count() / (double) robust.length();
        return new EvaluationReport(EvaluationReport.SCHEMA, "m", "synthetic", robust.length(), 1, clean, List.of(),
                List.of(new EvaluationReport.WorstCase("linf", 0.1, accuracy, robust, List.of(0.0, 1.0), null, null)),
                null, new EvaluationReport.Masking(false, List.of()));
    }
}
