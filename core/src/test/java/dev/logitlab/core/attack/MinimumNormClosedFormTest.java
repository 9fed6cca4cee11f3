package dev.logitlab.core.attack;

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
import dev.logitlab.core.model.NetworkClassifier;
import dev.logitlab.core.testing.Models;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * FAB-T and FMN on a two-class linear model z = Wx + b, where the minimal distance to the decision boundary is
 * known: with v = W₀ − W₁ and gap z₀ − z₁, it is gap / ‖v‖₁ in ℓ∞ and gap / ‖v‖₂ in ℓ2, as long as the closest
 * boundary point lies inside [0, 1]. Both attacks must land just above it, never below.
 */
class MinimumNormClosedFormTest {


    private NetworkClassifier model;
    private NDManager manager;
    private float[] x;
    private double gap;

    @BeforeEach
    void build() {
        model = Models.linear(new float[][] {LINEAR_W0, LINEAR_W1}, new float[] {LINEAR_B0, LINEAR_B1}, 4, 4);
        manager = model.manager().newSubManager();
        x = new float[16];
        gap = LINEAR_B0 - LINEAR_B1;
        for (int i = 0; i < 16; i++) {
            x[i] = 0.5f + (i % 3 - 1) * 0.02f;
            gap += (LINEAR_W0[i] - LINEAR_W1[i]) * x[i];
        }
        assertTrue(gap > 0, "the example starts in class 0");
    }

    @AfterEach
    void close() {
        manager.close();
        model.close();
    }

    @Test
    void fabFindsTheLinfDistanceToTheBoundary() {
        double exact = gap / norm(Norm.LINF);
        assertTrue(exact < 0.45, "the closest boundary point must lie inside [0, 1]: " + exact);
        float found = new Fab(Norm.LINF, 100, 1).minimalNorms(model, batch(), new int[] {0}, Double.POSITIVE_INFINITY)[0];
        assertEquals(exact, found, exact * 0.01, "FAB ℓ∞");
        assertTrue(found >= exact * (1 - 1e-4), "below the true minimum: " + found + " < " + exact);
    }

    @Test
    void fabFindsTheL2DistanceToTheBoundary() {
        double exact = gap / norm(Norm.L2);
        float found = new Fab(Norm.L2, 100, 1).minimalNorms(model, batch(), new int[] {0}, Double.POSITIVE_INFINITY)[0];
        assertEquals(exact, found, exact * 0.01, "FAB ℓ2");
        assertTrue(found >= exact * (1 - 1e-4), "below the true minimum: " + found + " < " + exact);
    }

    @Test
    void fmnFindsTheLinfAndL2DistancesToTheBoundary() {
        for (Norm norm : Norm.values()) {
            double exact = gap / norm(norm);
            float found = Fmn.of(norm).minimalNorms(model, batch(), new int[] {0}, 0)[0];
            assertEquals(exact, found, exact * 0.02, "FMN " + norm);
            assertTrue(found >= exact * (1 - 1e-4), norm + " below the true minimum: " + found + " < " + exact);
        }
    }

    @Test
    void atABudgetTheyBreakExactlyWhenTheBoundaryIsWithinIt() {
        double exact = gap / norm(Norm.LINF);
        for (Attack attack : new Attack[] {new Fab(Norm.LINF, 100, 1), Fmn.of(Norm.LINF)}) {
            assertFalse(attack.run(model, batch(), new int[] {0}, exact * 0.97, 0)[0], attack.name() + " below ε*");
            assertTrue(attack.run(model, batch(), new int[] {0}, exact * 1.03, 0)[0], attack.name() + " above ε*");
        }
    }

    private double norm(Norm norm) {
        float[] v = new float[16];
        for (int i = 0; i < 16; i++) {
            v[i] = LINEAR_W0[i] - LINEAR_W1[i];
        }
        return norm.dual(v, 0, 16);
    }

    private NDArray batch() {
        return manager.create(x, new Shape(1, 1, 4, 4));
    }
}
