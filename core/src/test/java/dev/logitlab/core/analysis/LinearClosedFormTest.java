package dev.logitlab.core.analysis;

import static dev.logitlab.core.testing.Models.LINEAR_B0;
import static dev.logitlab.core.testing.Models.LINEAR_B1;
import static dev.logitlab.core.testing.Models.LINEAR_W0;
import static dev.logitlab.core.testing.Models.LINEAR_W1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.attack.Fgsm;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.model.NetworkClassifier;
import dev.logitlab.core.testing.Models;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On a two-class linear model z = Wx + b everything is exact: ∇ₓz_k = W_k, the gradient gap is ‖W₀ − W₁‖₁,
 * FGSM's direction is sign(W₁ − W₀), so the smallest ε that flips class 0 is (z₀ − z₁)/‖W₀ − W₁‖₁ — the
 * prediction of Eq. 4 — as long as x ± ε stays inside [0, 1].
 */
class LinearClosedFormTest {


    private NetworkClassifier model;
    private NDManager manager;

    @BeforeEach
    void build() {
        model = Models.linear(new float[][] {LINEAR_W0, LINEAR_W1}, new float[] {LINEAR_B0, LINEAR_B1}, 4, 4);
        manager = model.manager().newSubManager();
    }

    @AfterEach
    void close() {
        manager.close();
        model.close();
    }

    @Test
    void gapStatisticsMatchTheClosedForm() {
        float[] x = image(0.5f, 0.02f);
        GapStatistics s = GapStatistics.measure(model, batch(x), new int[] {0})[0];

        double z0 = dot(LINEAR_W0, x) + LINEAR_B0;
        double z1 = dot(LINEAR_W1, x) + LINEAR_B1;
        double l1 = 0, l2 = 0, dot = 0, n0 = 0, n1 = 0;
        for (int i = 0; i < 16; i++) {
            l1 += Math.abs(LINEAR_W0[i] - LINEAR_W1[i]);
            l2 += (LINEAR_W0[i] - LINEAR_W1[i]) * (LINEAR_W0[i] - LINEAR_W1[i]);
            dot += LINEAR_W0[i] * LINEAR_W1[i];
            n0 += LINEAR_W0[i] * LINEAR_W0[i];
            n1 += LINEAR_W1[i] * LINEAR_W1[i];
        }
        assertEquals(z0 - z1, s.logitGap(), 1e-5);
        assertEquals(l1, s.gradientGapL1(), 1e-5); // 8.5
        assertEquals((z0 - z1) / l1, s.predictedEps(), 1e-6);
        assertEquals((z0 - z1) / Math.sqrt(l2), s.predictedEpsL2(), 1e-6, "ℓ2: the distance to the hyperplane");
        assertEquals(dot / Math.sqrt(n0 * n1), s.gradientCosine(), 1e-5);
        assertEquals(Math.hypot(z0, z1), s.logitNorm(), 1e-5);
    }

    @Test
    void fgsmFlipsExactlyAtThePredictedEpsilon() {
        float[] x = image(0.5f, 0.02f);
        int[] label = {0};
        float predicted = GapStatistics.measure(model, batch(x), label)[0].predictedEps();
        assertTrue(predicted > 0.01 && predicted < 0.4, "the example must leave room inside [0, 1]: " + predicted);

        assertFalse(new Fgsm(Norm.LINF).run(model, batch(x), label, predicted * 0.98, 0)[0], "below ε* FGSM must fail");
        assertTrue(new Fgsm(Norm.LINF).run(model, batch(x), label, predicted * 1.02, 0)[0], "above ε* FGSM must succeed");

        float searched = MinimalEpsilon.fgsm(model, batch(x), label, 0.5, 10)[0];
        assertEquals(predicted, searched, predicted / 100, "bisection lands on the closed form");
    }

    private float[] image(float base, float ripple) {
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = base + (i % 3 - 1) * ripple;
        }
        return x;
    }

    private NDArray batch(float[] x) {
        return manager.create(x, new Shape(1, 1, 4, 4));
    }

    private static double dot(float[] w, float[] x) {
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            s += w[i] * x[i];
        }
        return s;
    }
}
