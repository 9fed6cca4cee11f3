package dev.logitlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import dev.logitlab.core.attack.InputGradient;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaxPoolingTest {

    private static NDArray libtorch(NDArray x) {
        return Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
    }

    /** Values on a grid of quarters, a third of them negative, so that windows hold ties; a few NaNs. */
    private static NDArray tiesAndNaNs(NDManager m, Shape shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextInt(100) == 0 ? Float.NaN : (random.nextInt(12) - 4) / 4f;
        }
        return m.create(v, shape);
    }

    @Test
    void givesLibtorchsValuesWithTiesNegativesAndNaNs() {
        try (NDManager m = Torch.engine().newBaseManager()) {
            for (Shape shape : new Shape[] {new Shape(3, 4, 28, 28), new Shape(2, 3, 7, 7), new Shape(1, 1, 2, 6)}) {
                NDArray x = tiesAndNaNs(m, shape, shape.size());
                float[] expected = libtorch(x).toFloatArray();
                NDArray pooled = MaxPooling.pool(x);
                assertEquals(libtorch(x).getShape(), pooled.getShape());
                float[] actual = pooled.toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                            "element " + i + " of " + shape + ": " + expected[i] + " against " + actual[i]);
                }
            }
        }
    }

    @Test
    void underAGradientATiedWindowGivesItsWholeGradientToTheFirstMaximum() {
        try (NDManager m = Torch.engine().newBaseManager()) {
            NDArray x = m.create(new float[] {1, 1, 3, 2, 1, 1, 3, 3}, new Shape(1, 1, 2, 4));
            float[] gradient = InputGradient.of(MaxPooling::pool, x, NDArray::sum).toFloatArray();
            // max_pool2d's backward: each window's gradient goes to its first maximum, none is split between ties
            assertArrayEquals(new float[] {1, 0, 1, 0, 0, 0, 0, 0}, gradient);
        }
    }

    @Test
    void smallCnnGivesTheSameLogitsWhetherOrNotAGradientIsRecorded() {
        try (Network network = Network.create(new ModelSpec("small-cnn", 1, 28, 28, 10), 3);
             NDManager m = network.manager().newSubManager()) {
            NDArray images = m.randomUniform(0, 1, new Shape(16, 1, 28, 28));
            float[] fast = network.forward(images, false).toFloatArray();
            float[] recorded;
            Torch.AUTOGRAD.lock();
            try {
                recorded = network.forward(images, false).toFloatArray();
            } finally {
                Torch.AUTOGRAD.unlock();
            }
            assertArrayEquals(recorded, fast);
        }
    }
}
