package dev.logitlab.core.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.testing.Models;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PGD and APGD on a model whose input gradient is exactly zero (inputs rounded to a few grey levels): every start is a
 * fixed point, so a run stops after one gradient per restart, with the outcome of the full run.
 */
class PgdFixedPointTest {

    private final Dataset test = Models.fashion().test();
    private final Classifier quantized = Models.quantized(Models.plainSmallCnn(), 4);
    private final NDArray x = Models.images(quantized.manager(), test, 40);
    private final int[] y = Models.labels(test, 40);
    private final Models.Spy spy = new Models.Spy(quantized, batch -> { });

    @AfterEach
    void close() {
        quantized.close();
    }

    @Test
    void zeroGradientsEndEachRestartAfterOneStepWithTheFullRunsOutcome() {
        boolean[] twenty = new Pgd(Norm.LINF, Pgd.Loss.CE, 20, null, 2).run(spy, x, y, 0.05, 7);
        // each restart: one gradient at its random start, which no step can leave
        assertEquals(2, spy.gradientCalls.get(), "one gradient per restart, not 20");
        boolean[] one = new Pgd(Norm.LINF, Pgd.Loss.CE, 1, null, 2).run(quantized, x, y, 0.05, 7);
        assertArrayEquals(one, twenty, "20 steps from a fixed point find what 1 step finds");
        int broken = 0;
        for (boolean b : twenty) {
            broken += b ? 1 : 0;
        }
        assertTrue(broken < 40, "some examples stay robust (else the test shows nothing): " + broken);
    }

    @Test
    void apgdStopsAtAStartWhoseGradientIsZero() {
        boolean[] hundred = new Apgd(Norm.LINF, Apgd.Variant.CE, 100, 1, 0).run(spy, x, y, 0.05, 7);
        assertEquals(1, spy.gradientCalls.get(), "one gradient at the start, not 100");
        boolean[] two = new Apgd(Norm.LINF, Apgd.Variant.CE, 2, 1, 0).run(quantized, x, y, 0.05, 7);
        assertArrayEquals(two, hundred);
    }
}
