package dev.logitlab.core.verdict;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.verdict.BestCheckpoint.Judged;
import dev.logitlab.events.RunSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Simulated runs whose checkpoints are all equally good: each example has its own chance of being robust (some easy,
 * most hard, as on Fashion-MNIST at ε = 0.1), and every checkpoint draws its outcomes from those same chances. No
 * verdict about such a run should claim a drop, except by the error rate the tests admit for the whole run.
 */
class FalseAlarmsTest {

    static final int RUNS = 400;
    static final int CHECKPOINTS = 8;
    static final int EXAMPLES = 150;

    @Test
    void equalCheckpointsAreCalledRobustOverfittingInAtMostAlphaOfRuns() {
        for (RunSpec.Evaluation plan : List.of(RunVerdictsTest.NO_BASELINE, RunVerdictsTest.plan(RunSpec.Evaluation.BEST,
                0.01))) {
            for (boolean inOrder : new boolean[] {true, false}) {
                double rate = alarmRate(plan, inOrder);
                assertTrue(rate <= 0.05, "runs with a false robust-overfitting verdict: " + rate + " (baseline "
                        + plan.baseline() + ", " + (inOrder ? "in order" : "the first, then the last back to the second")
                        + ")");
            }
        }
    }

    /** The share of simulated runs with any robust-overfitting verdict, reports arriving in epoch order or not. */
    static double alarmRate(RunSpec.Evaluation plan, boolean inOrder) {
        Random random = new Random(7);
        int alarmed = 0;
        for (int run = 0; run < RUNS; run++) {
            double[] chance = chances(random);
            List<Judged> checkpoints = new ArrayList<>();
            for (int epoch = 1; epoch <= CHECKPOINTS; epoch++) {
                checkpoints.add(new Judged("sim", "sim/epoch-" + epoch, epoch, "x",
                        RunVerdictsTest.report(outcomes(chance, random), false)));
            }
            List<Judged> arrival = new ArrayList<>(checkpoints.subList(0, 1));
            List<Judged> rest = new ArrayList<>(checkpoints.subList(1, CHECKPOINTS));
            if (!inOrder) {
                java.util.Collections.reverse(rest);
            }
            arrival.addAll(rest);
            List<Judged> seen = new ArrayList<>();
            boolean alarm = false;
            for (Judged j : arrival) {
                alarm |= RunVerdicts.judge(j, List.copyOf(seen), plan, Optional.empty()).kind()
                        .equals("robust-overfitting");
                seen.add(j);
            }
            alarmed += alarm ? 1 : 0;
        }
        return alarmed / (double) RUNS;
    }

    @Test
    void theGateRarelyCallsAnEqualCandidateARegression() {
        Random random = new Random(11);
        int regressed = 0;
        int passed = 0;
        for (int trial = 0; trial < RUNS; trial++) {
            double[] chance = chances(random);
            Gate gate = Gate.of(RunVerdictsTest.report(outcomes(chance, random), false),
                    RunVerdictsTest.report(outcomes(chance, random), false), 0.01, 0.05);
            regressed += gate.answer() == NonInferiority.Answer.REGRESSED ? 1 : 0;
            passed += gate.answer() == NonInferiority.Answer.PASSED ? 1 : 0;
        }
        // A drop larger than the margin is claimed with error at most α when there is none.
        assertTrue(regressed / (double) RUNS <= 0.05, "equal candidates called regressed: " + regressed);
        assertTrue(passed < RUNS, "150 examples cannot show non-inferiority at 0.01 every time: " + passed);
    }

    /** Per example its chance of being robust: a fifth easy (0.9), the rest hard (0.08): about 0.24 overall. */
    static double[] chances(Random random) {
        double[] chance = new double[EXAMPLES];
        for (int i = 0; i < EXAMPLES; i++) {
            chance[i] = random.nextDouble() < 0.2 ? 0.9 : 0.08;
        }
        return chance;
    }

    static String outcomes(double[] chance, Random random) {
        StringBuilder s = new StringBuilder(chance.length);
        for (double c : chance) {
            s.append(random.nextDouble() < c ? '1' : '0');
        }
        return s.toString();
    }
}
