package dev.logitlab.core.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** FAB's projection onto a hyperplane inside the box [0, 1], on points small enough to solve by hand. */
class BoundaryProjectionTest {

    @Test
    void linfMovesEveryFreeCoordinateByTheSameAmountUntilTheBoxStopsIt() {
        // d₁ + d₂ = 0.4 with |d|∞ minimal: 0.2 each, but x₁ = 0.9 has only 0.1 of room, so d = (0.1, 0.3).
        assertArrayEquals(new float[] {0.1f, 0.3f}, project(Norm.LINF, new float[] {0.9f, 0.5f}, new float[] {1, 1}, 0.4), 1e-6f);
        // w = (2, −1), c = −0.6: every coordinate moves t against its weight's sign, 2t + t = 0.6, t = 0.2.
        assertArrayEquals(new float[] {-0.2f, 0.2f}, project(Norm.LINF, new float[] {0.5f, 0.5f}, new float[] {2, -1}, -0.6), 1e-6f);
    }

    @Test
    void l2MovesAlongTheNormalUntilTheBoxStopsIt() {
        // d = λw with λ(4 + 1) = 1: (0.4, 0.2), inside the box.
        assertArrayEquals(new float[] {0.4f, 0.2f}, project(Norm.L2, new float[] {0.5f, 0.5f}, new float[] {2, 1}, 1), 1e-6f);
        // d₁ + d₂ = 0.4: (0.2, 0.2) unconstrained; x₁ = 0.9 clips d₁ to 0.1 and d₂ takes the rest.
        assertArrayEquals(new float[] {0.1f, 0.3f}, project(Norm.L2, new float[] {0.9f, 0.5f}, new float[] {1, 1}, 0.4), 1e-6f);
    }

    @Test
    void aHyperplaneTheBoxCannotReachGetsTheNearestCorner() {
        assertArrayEquals(new float[] {0.1f, 0.1f}, project(Norm.LINF, new float[] {0.9f, 0.9f}, new float[] {1, 1}, 0.5), 1e-6f);
        assertArrayEquals(new float[] {0.1f, 0.1f}, project(Norm.L2, new float[] {0.9f, 0.9f}, new float[] {1, 1}, 0.5), 1e-6f);
    }

    private static float[] project(Norm norm, float[] p, float[] w, double c) {
        float[] out = new float[p.length];
        BoundaryProjection.project(norm, p, w, 0, p.length, c, out);
        return out;
    }
}
