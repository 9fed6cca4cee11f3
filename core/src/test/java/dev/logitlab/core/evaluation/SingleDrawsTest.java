package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.testing.Models;
import dev.logitlab.core.verdict.Interval;
import dev.logitlab.events.EvaluationReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A randomized model judged as deployed: every single draw must be right, and the expected accuracy of one draw. */
class SingleDrawsTest {

    @Test
    void aNoisyModelTheMeanOfDrawsCallsRobustIsBrokenBySingleDrawsAndTheReportSaysBoth() throws Exception {
        TrainTestSplit data = Datasets.load("synthetic", null);
        EvaluationPlan plan = new EvaluationPlan(List.of(0.01, 0.02), List.of(), "fgsm,pgd", 60, 0, 0, 0);
        try (Classifier linear = Classifiers.open(Models.syntheticLinear());
             Classifier noisy = Models.randomized(Classifiers.open(Models.syntheticLinear()), NOISE)) {
            EvaluationReport deterministic = new Evaluation(linear, data.test(), plan, null, null).run("linear");
            assertTrue(deterministic.worstCase().stream().allMatch(w -> w.singleDraw() == null),
                    "a model whose outputs are not random has no single-draw record");

            EvaluationReport report = new Evaluation(noisy, data.test(), plan, null, null).run("noisy");
            for (EvaluationReport.WorstCase w : report.worstCase()) {
                EvaluationReport.SingleDraw s = w.singleDraw();
                assertEquals(SingleDraws.DRAWS, s.draws(), w.budget());
                int byDraws = w.foundBy().getOrDefault("single draws", 0);
                double beforeDraws = w.robustAccuracy() + byDraws / 60.0;
                // The mean of 20 draws left these robust; single draws, as deployed, broke some of them.
                assertTrue(byDraws > 0, w.budget() + ": " + w.foundBy());
                assertTrue(w.robustAccuracy() <= s.expected() && s.expected() <= beforeDraws + 1e-12,
                        w.budget() + ": strict " + w.robustAccuracy() + " ≤ expected " + s.expected() + " ≤ EOT's "
                                + beforeDraws);
                assertTrue(Interval.of(s.interval()).contains(s.expected()), s.toString());
            }
            assertTrue(report.timeline().stream().anyMatch(t -> t.name().contains("single draws")));
        }
    }

    /** Noise on the logits, σ: averaged over 20 draws it shrinks by √20, so single draws err where the mean does not
     * (on the synthetic linear model, about a third of the examples the mean of draws leaves robust at ε = 0.01). */
    static final float NOISE = 0.1f;

    @Test
    void theExpectedAccuracyIsTheMeanShareAndItsIntervalUsesTheEffectiveNumberOfExamples() {
        // Each example all right or all wrong: the draws add nothing, the interval is Wilson's on n = 4.
        SingleDraws.Expected allOrNothing = SingleDraws.expected(outcome(10, 10, 0, 0), "1111");
        assertEquals(0.5, allOrNothing.accuracy(), 1e-12);
        assertSame(wilson(0.5, 4), allOrNothing.interval());
        // Each example right half the time: as good as 40 independent draws.
        SingleDraws.Expected half = SingleDraws.expected(outcome(5, 5, 5, 5), "1111");
        assertEquals(0.5, half.accuracy(), 1e-12);
        assertSame(wilson(0.5, 40), half.interval());
        // An example broken before the draws counts 0, as does one not checked.
        SingleDraws.Expected broken = SingleDraws.expected(outcome(10, 10, 10, -1), "1101");
        assertEquals(0.5, broken.accuracy(), 1e-12);
        assertEquals(VerifiedBreaks.NONE, SingleDraws.found(outcome(10, 9, 10, -1)).eps()[0]);
        assertEquals(0.1f, SingleDraws.found(outcome(10, 9, 10, -1)).eps()[1]);
        assertEquals(VerifiedBreaks.NONE, SingleDraws.found(outcome(10, 9, 10, -1)).eps()[3], "not checked, not found");
        // A draw wrong at the clean image breaks the example too, though it leaves the share at x' alone.
        SingleDraws.Outcome cleanWrong = new SingleDraws.Outcome("linf", 0.1, 10, new int[] {10, 10}, new int[] {9, 10});
        assertEquals(0.1f, SingleDraws.found(cleanWrong).eps()[0]);
        assertEquals(1.0, SingleDraws.expected(cleanWrong, "11").accuracy(), 1e-12);
    }

    static void assertSame(Interval expected, Interval actual) {
        assertEquals(expected.lower(), actual.lower(), 1e-12, actual.toString());
        assertEquals(expected.upper(), actual.upper(), 1e-12, actual.toString());
    }

    /** Draws right at x' per example; at the clean image all right, where checked. */
    static SingleDraws.Outcome outcome(int... right) {
        return new SingleDraws.Outcome("linf", 0.1, 10, right,
                java.util.Arrays.stream(right).map(r -> r < 0 ? -1 : 10).toArray());
    }

    /** Wilson's 95% score interval, written out. */
    static Interval wilson(double p, double n) {
        double z = 1.959963984540054;
        double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
        return new Interval(centre - half, centre + half);
    }
}
