package dev.logitlab.core.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Square's window schedule against the table of Andriushchenko et al. 2020 (and AutoAttack's p_selection). */
class SquareScheduleTest {

    @Test
    void pHalvesAtThePapersIterationsOfATenThousandQuerySchedule() {
        SquareAttack square = new SquareAttack(Norm.LINF, 10_000, 0.8);
        int[] lastOfEachStage = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000, 9999};
        double p = 0.8;
        for (int stage = 0; stage < lastOfEachStage.length; stage++) {
            int last = lastOfEachStage[stage];
            assertEquals(p, square.fraction(last), 1e-12, "p at iteration " + last);
            if (stage + 1 < lastOfEachStage.length) {
                assertEquals(p / 2, square.fraction(last + 1), 1e-12, "p at iteration " + (last + 1));
            }
            p /= 2;
        }
        assertEquals(0.8 / 512, square.fraction(9999), 1e-12);
    }

    @Test
    void aSmallerBudgetRescalesTheIterationFirst() {
        SquareAttack square = new SquareAttack(Norm.LINF, 1000, 0.8);
        assertEquals(0.8, square.fraction(1), 1e-12);       // ⌊1 / 1000 · 10000⌋ = 10
        assertEquals(0.4, square.fraction(2), 1e-12);       // 20
        assertEquals(0.4, square.fraction(5), 1e-12);       // 50
        assertEquals(0.2, square.fraction(6), 1e-12);       // 60
        assertEquals(0.8 / 512, square.fraction(999), 1e-12);
    }

    @Test
    void theWindowCoversPOfTheImageAndStaysInsideIt() {
        SquareAttack square = new SquareAttack(Norm.LINF, 1000, 0.8);
        assertEquals(25, square.side(0, 1, 28, 28));        // round(√(0.8 · 784)) = round(25.04)
        assertEquals(18, square.side(2, 1, 28, 28));        // round(√(0.4 · 784)) = round(17.7)
        assertEquals(1, square.side(999, 1, 28, 28));       // √(0.8/512 · 784) = 1.1
        assertEquals(27, new SquareAttack(Norm.LINF, 10, 1.0).side(0, 1, 28, 28), "at most h − 1");
    }
}
