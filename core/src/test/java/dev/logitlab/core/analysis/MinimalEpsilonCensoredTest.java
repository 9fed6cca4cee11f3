package dev.logitlab.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.logitlab.events.EvaluationReport.MinimalEps;
import org.junit.jupiter.api.Test;

/** Censored minimal ε on samples small enough to count by hand. */
class MinimalEpsilonCensoredTest {

    private static final float NONE = Float.NaN;

    @Test
    void censoredExamplesStayInTheDenominator() {
        // 8 examples: 5 broken at 0.01 … 0.05, three never (one NaN, one +∞, one found above ε_max = 0.5).
        float[] found = {0.03f, NONE, 0.01f, 0.05f, Float.POSITIVE_INFINITY, 0.02f, 0.7f, 0.04f};
        MinimalEps m = MinimalEpsilonCensored.summarize("fmn", "linf", 0.5, found, null);
        assertEquals(8, m.examples());
        assertEquals(3, m.censored());
        assertEquals(3 / 8.0, m.censoredFraction(), 1e-12);
        assertEquals(0.02, m.q25(), 1e-6);       // ⌈0.25·8⌉ = 2nd smallest of all 8
        assertEquals(0.04, m.median(), 1e-6);    // 4th of 8, where dropping the censored would give the 3rd of 5 (0.03)
        assertNull(m.q75(), "the 6th of 8 lies above ε_max");
    }

    @Test
    void spearmanTiesTheCensoredAtTheTop() {
        float[] predicted = {0.1f, 0.2f, 0.3f, 0.4f};
        float[] found = {0.01f, 0.02f, NONE, NONE};
        // Minimal ε ranks 1, 2, 3.5, 3.5 against 1, 2, 3, 4; with ties ρ is Pearson on the average ranks.
        double rho = MinimalEpsilonCensored.spearman(predicted, found, 0.5);
        assertEquals(0.9486832980505138, rho, 1e-9);
        assertEquals(Double.NaN, MinimalEpsilonCensored.spearman(new float[] {0.1f}, new float[] {0.1f}, 0.5));
    }
}
