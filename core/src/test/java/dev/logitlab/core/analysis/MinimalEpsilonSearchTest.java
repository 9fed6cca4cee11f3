package dev.logitlab.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The search itself, on a monotone attack whose minimal ε per example is known: it breaks i iff ε ≥ t_i. */
class MinimalEpsilonSearchTest {

    private static final float[] THRESHOLDS = {0.3f, 0.07f, 0.001f, 0.9f, 0.5f};

    @Test
    void findsEachThresholdWithinTheBisectionsResolutionAndNaNAboveTheLargestBudget() {
        float[] found = MinimalEpsilon.search(THRESHOLDS.length, 0.5, 6, counting(new int[THRESHOLDS.length]));
        for (int i = 0; i < THRESHOLDS.length; i++) {
            if (THRESHOLDS[i] > 0.5f) {
                assertTrue(Float.isNaN(found[i]), "never broken within 0.5: " + found[i]);
                continue;
            }
            // The bracket [ε/2, ε] (or [0, 0.5/128] below the grid) after 6 halvings.
            float width = Math.max(THRESHOLDS[i], 0.5f / 128) / 64 + 1e-7f;
            assertTrue(found[i] >= THRESHOLDS[i] && found[i] - THRESHOLDS[i] <= width,
                    "example " + i + ": threshold " + THRESHOLDS[i] + ", found " + found[i]);
        }
    }

    @Test
    void anExampleNoBudgetBreaksCostsOneProbeAndABrokenOneNoGridLevelBelowItsMinimum() {
        int[] probes = new int[THRESHOLDS.length];
        MinimalEpsilon.search(THRESHOLDS.length, 0.5, 6, counting(probes));
        assertEquals(1, probes[3], "0.9 > 0.5: one probe at the largest budget");
        // 0.3 breaks at 0.5, holds at 0.25: 2 grid probes and 6 bisections.
        assertEquals(8, probes[0], Arrays.toString(probes));
        // 0.001 breaks at every grid level down to 0.5/128: 8 grid probes and 6 bisections.
        assertEquals(14, probes[2], Arrays.toString(probes));
    }

    private static MinimalEpsilon.Probe counting(int[] probes) {
        return (which, eps) -> {
            boolean[] broken = new boolean[which.length];
            for (int a = 0; a < which.length; a++) {
                probes[which[a]]++;
                broken[a] = eps[a] >= THRESHOLDS[which[a]];
            }
            return broken;
        };
    }
}
