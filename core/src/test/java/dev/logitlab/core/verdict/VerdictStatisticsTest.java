package dev.logitlab.core.verdict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The statistics behind every verdict, against values worked out independently: published tables and closed forms
 * for the exact binomial interval, the binomial sum for McNemar, closed forms of Newcombe's paired interval at its
 * corners and Wilson's interval found by bisection of the score equation.
 */
class VerdictStatisticsTest {

    static final double Z95 = 1.959963984540054;

    @Test
    void clopperPearsonMatchesPublishedTablesAndItsClosedForms() {
        assertEquals(0.3085, ClopperPearson.of(0, 10, 0.95).upper(), 5e-5);
        assertEquals(0, ClopperPearson.of(0, 10, 0.95).lower());
        assertEquals(0.1871, ClopperPearson.of(5, 10, 0.95).lower(), 5e-5);
        assertEquals(0.8129, ClopperPearson.of(5, 10, 0.95).upper(), 5e-5);
        // k = 0: P[X = 0] = (1 − u)^n = α/2; k = n: l^n = α/2.
        for (int n : new int[] {1, 7, 150, 500}) {
            assertEquals(1 - Math.pow(0.025, 1.0 / n), ClopperPearson.of(0, n, 0.95).upper(), 1e-9);
            assertEquals(Math.pow(0.025, 1.0 / n), ClopperPearson.of(n, n, 0.95).lower(), 1e-9);
        }
        // SCIENCE.md: at n = 150 and p ≈ 0.14, about [0.09, 0.21].
        Interval i = ClopperPearson.of(21, 150, 0.95);
        assertEquals(0.09, i.lower(), 0.005);
        assertEquals(0.21, i.upper(), 0.005);
        assertEquals(ClopperPearson.of(3, 4, 0.95), ClopperPearson.of("1x11"));
        assertThrows(IllegalArgumentException.class, () -> ClopperPearson.of(5, 4, 0.95));
        assertThrows(IllegalArgumentException.class, () -> ClopperPearson.of(0, 0, 0.95));
    }

    @Test
    void mcNemarIsTheTwoSidedBinomialTailOfTheDiscordantExamples() {
        assertEquals(2 * Math.pow(0.5, 5), McNemar.exactP(0, 5), 1e-12);
        assertEquals(2 * (1 + 10) / 1024.0, McNemar.exactP(1, 9), 1e-12);
        assertEquals(2 * (1 + 10) / 1024.0, McNemar.exactP(9, 1), 1e-12, "symmetric");
        assertEquals(1, McNemar.exactP(4, 4), 1e-12, "capped at 1");
        assertEquals(1, McNemar.exactP(0, 0), 1e-12, "no discordant example, no evidence");
        // b = 2, c = 10: 2·(C(12,0) + C(12,1) + C(12,2))/2^12 = 2·79/4096.
        assertEquals(2 * 79 / 4096.0, McNemar.exactP(2, 10), 1e-12);
    }

    @Test
    void pairedOutcomesCountTheTableAndNameTheNegativeFlips() {
        PairedOutcomes t = PairedOutcomes.of("11001x10", "10101x01");
        assertEquals(2, t.both());
        assertEquals(2, t.baselineOnly());
        assertEquals(2, t.candidateOnly());
        assertEquals(2, t.neither());
        assertArrayEquals(new int[] {1, 6}, t.negativeFlips());
        assertEquals(0, t.difference(), 1e-12);
        assertEquals(0.25, t.negativeFlipRate(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> PairedOutcomes.of("101", "10"));
        assertThrows(IllegalArgumentException.class, () -> PairedOutcomes.of(null, "10"));
    }

    @Test
    void wilsonIsTheRootOfTheScoreEquation() {
        for (int[] kn : new int[][] {{0, 20}, {3, 20}, {10, 20}, {20, 20}, {21, 150}}) {
            double p = kn[0] / (double) kn[1];
            Interval w = PairedDifference.wilson(p, kn[1], Z95);
            assertEquals(scoreRoot(p, kn[1], 0, p), w.lower(), 1e-9, "lower for " + kn[0] + "/" + kn[1]);
            assertEquals(scoreRoot(p, kn[1], p, 1), w.upper(), 1e-9, "upper for " + kn[0] + "/" + kn[1]);
        }
    }

    @Test
    void newcombesPairedIntervalAtItsCorners() {
        // Identical outcomes at p = ½: φ = 1 and Wilson's interval is symmetric about ½, so the interval is {0}.
        Interval same = PairedDifference.of(PairedOutcomes.of("1".repeat(10) + "0".repeat(10),
                "1".repeat(10) + "0".repeat(10)), 0.95);
        assertEquals(0, same.lower(), 1e-12);
        assertEquals(0, same.upper(), 1e-12);
        // Every example flips to the candidate: φ = 0, p₁ = 1, p₂ = 0; l₁ = n/(n+z²), u₂ = z²/(n+z²).
        int n = 30;
        Interval all = PairedDifference.of(PairedOutcomes.of("0".repeat(n), "1".repeat(n)), 0.95);
        assertEquals(1 - Math.sqrt(2) * Z95 * Z95 / (n + Z95 * Z95), all.lower(), 1e-9);
        assertEquals(1, all.upper(), 1e-12);
        // A mixed table: inside [−1, 1], around the estimate, and wider at 99% than at 95%.
        PairedOutcomes mixed = PairedOutcomes.of("1111100000" + "11", "1110011000" + "01");
        Interval i95 = PairedDifference.of(mixed, 0.95);
        Interval i99 = PairedDifference.of(mixed, 0.99);
        assertTrue(i95.contains(mixed.difference()));
        assertTrue(i99.lower() < i95.lower() && i99.upper() > i95.upper());
        assertTrue(i95.lower() >= -1 && i95.upper() <= 1);
        // The one-sided bound at α is the two-sided one at 1 − 2α.
        assertEquals(PairedDifference.of(mixed, 0.90).lower(), PairedDifference.lowerBound(mixed, 0.05), 1e-12);
    }

    @Test
    void theGateDecidesAtTheBoundaryOfItsMargin() {
        // 200 examples: the candidate loses 8 the baseline withstood and gains 2.
        String baseline = "1".repeat(100) + "1".repeat(8) + "0".repeat(2) + "0".repeat(90);
        String candidate = "1".repeat(100) + "0".repeat(8) + "1".repeat(2) + "0".repeat(90);
        PairedOutcomes t = PairedOutcomes.of(baseline, candidate);
        double lower = PairedDifference.lowerBound(t, 0.05);
        assertTrue(lower < t.difference() && t.difference() == -0.03);
        assertTrue(NonInferiority.decide(t, -lower + 1e-9, 0.05).passed(), "just inside the margin");
        assertFalse(NonInferiority.decide(t, -lower - 1e-9, 0.05).passed(), "just outside it");
        // A candidate better on every discordant example passes a zero margin; identical outcomes do not, since
        // "not worse by more than 0" needs evidence the lower bound cannot give at a difference of exactly 0.
        assertTrue(NonInferiority.decide(PairedOutcomes.of(candidate, baseline), 0, 0.05).passed());
        assertEquals(NonInferiority.Answer.INCONCLUSIVE,
                NonInferiority.decide(PairedOutcomes.of(baseline, baseline), 0, 0.05).answer(),
                "no change is not a regression either");
        assertThrows(IllegalArgumentException.class, () -> NonInferiority.decide(t, 1.5, 0.05));
        assertThrows(IllegalArgumentException.class, () -> NonInferiority.decide(t, -0.1, 0.05));
        assertThrows(IllegalArgumentException.class, () -> NonInferiority.decide(t, 0.01, 0.7));
    }

    @Test
    void identicalOutcomesAreInconclusiveAndTheGateSaysHowManyExamplesWouldDecide() {
        // The quick demo's case: 150 examples, 21 robust (p = 0.14), the same outcomes on both sides, margin 0.01.
        String same = "1".repeat(21) + "0".repeat(129);
        NonInferiority.Decision d = NonInferiority.decide(PairedOutcomes.of(same, same), 0.01, 0.05);
        // With no discordant example Newcombe's lower bound is −z²|1 − 2p|/(n + z²): −0.0128 here, below −0.01.
        double z2 = Math.pow(1.6448536269514722, 2);
        assertEquals(-z2 * 0.72 / (150 + z2), d.lowerBound(), 1e-9);
        assertEquals(-d.lowerBound(), d.upperBound(), 1e-12, "symmetric at a difference of 0");
        assertEquals(NonInferiority.Answer.INCONCLUSIVE, d.answer());
        // It passes once z²·0.72/(n + z²) < 0.01, n > 72·z² − z² = 192.09: the first such n is 193.
        assertEquals(193, d.examplesToDecide());
        assertEquals(NonInferiority.Answer.PASSED, NonInferiority.decide(PairedOutcomes.of(same + "1".repeat(6) + "0"
                .repeat(37), same + "1".repeat(6) + "0".repeat(37)), 0.01, 0.05).answer(), "193 examples at 0.14 pass");
    }

    @Test
    void aDropLargerThanTheMarginIsARegressionAndTheBudgetsShareAlpha() {
        // 200 examples: 30 the baseline withstood are lost, none gained: d = −0.15.
        String baseline = "1".repeat(60) + "0".repeat(140);
        String candidate = "1".repeat(30) + "0".repeat(170);
        NonInferiority.Decision one = NonInferiority.decide(PairedOutcomes.of(baseline, candidate), 0.01, 0.05);
        assertEquals(NonInferiority.Answer.REGRESSED, one.answer());
        assertTrue(one.upperBound() < -0.01 && one.upperBound() > one.difference(), one.toString());
        // Shared over two budgets the upper bound is taken at α/2: further from the change, so harder to regress.
        NonInferiority.Decision shared = NonInferiority.decide(PairedOutcomes.of(baseline, candidate), 0.01, 0.05, 0.025);
        assertTrue(shared.upperBound() > one.upperBound());
        assertEquals(PairedDifference.of(PairedOutcomes.of(baseline, candidate), 0.95).upper(), shared.upperBound(),
                1e-12, "the one-sided 97.5% bound is the two-sided 95% interval's");
        // A small drop well inside the noise: neither shown.
        String slightly = "1".repeat(58) + "0".repeat(142);
        assertEquals(NonInferiority.Answer.INCONCLUSIVE,
                NonInferiority.decide(PairedOutcomes.of(baseline, slightly), 0.01, 0.05).answer());
    }

    @Test
    void theOneSidedDropTestAndFishersExactTestMatchTheirTables() {
        // b = 5 lost, c = 0 gained: P[Bin(5, ½) ≥ 5] = 1/32.
        assertEquals(1 / 32.0, McNemar.dropP(PairedOutcomes.of("11111", "00000")), 1e-12);
        assertEquals(1, McNemar.dropP(PairedOutcomes.of("00000", "11111")), "a gain is no drop");
        // b = 3, c = 1: P[Bin(4, ½) ≥ 3] = 5/16.
        assertEquals(5 / 16.0, McNemar.dropP(PairedOutcomes.of("1110", "0001")), 1e-12);
        // Fisher's tea-tasting table [[3, 1], [1, 3]]: two-sided p = 34/70 = 0.4857.
        assertEquals(34 / 70.0, FisherExact.twoSided(3, 4, 1, 4), 1e-9);
        assertEquals(1, FisherExact.twoSided(5, 10, 5, 10), 1e-9);
    }

    /**
     * The π in [lo, hi] where |p − π| = z·√(π(1 − π)/n), by bisection: Wilson's bound from its definition. The root
     * π = p is trivial when p is 0 or 1, so the search starts just off it; the bound at p = 0 (lower) or 1 (upper) is p.
     */
    private static double scoreRoot(double p, int n, double lo, double hi) {
        java.util.function.DoubleUnaryOperator f = pi -> Math.abs(p - pi) - Z95 * Math.sqrt(pi * (1 - pi) / n);
        if (hi == p && p == 0 || lo == p && p == 1) {
            return p;
        }
        if (lo == p) {
            lo += 1e-15;
        }
        for (int i = 0; i < 200; i++) {
            double mid = (lo + hi) / 2;
            if (Math.signum(f.applyAsDouble(mid)) == Math.signum(f.applyAsDouble(lo))) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }
}
