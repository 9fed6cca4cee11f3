package dev.logitlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.pooling.Pool;

/**
 * 2×2 max pooling with stride 2: libtorch's {@code max_pool2d} values, computed faster where no gradient is
 * recorded. libtorch's kernel for NCHW tensors is scalar and branches on every element (9 ms for a 60×32×28×28
 * batch on one core here, half of small-cnn's forward pass); two elementwise maxima over neighbouring pairs give
 * the same values in 1.3 ms. Their backward would split a tie's gradient between both elements, where
 * {@code max_pool2d} gives it all to the first maximum: while this thread records a gradient (training, an
 * attack's input gradient) the block keeps {@code max_pool2d}, so every gradient, and every trained weight, is
 * what it was. Serialised like DJL's pooling block (a parameterless lambda), so checkpoints load either way.
 */
final class MaxPooling {

    private static final Shape WINDOW = new Shape(2, 2);
    private static final Shape NO_PADDING = new Shape(0, 0);

    private MaxPooling() {
    }

    static Block block() {
        return new LambdaBlock(inputs -> new NDList(pool(inputs.singletonOrThrow())), "maxPool2d");
    }

    static NDArray pool(NDArray x) {
        Shape s = x.getShape();
        if (Torch.recordingGradient() || s.dimension() != 4 || s.get(2) % 2 != 0 || s.get(3) % 2 != 0) {
            return Pool.maxPool2d(x, WINDOW, WINDOW, NO_PADDING, false);
        }
        long n = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        // maximum() returns a NaN operand, as max_pool2d does
        NDArray columns = x.reshape(n * c * h * w / 2, 2);
        NDArray widths = columns.get(":, 0").maximum(columns.get(":, 1"));
        NDArray rows = widths.reshape(n * c * h / 2, 2, w / 2);
        return rows.get(":, 0, :").maximum(rows.get(":, 1, :")).reshape(n, c, h / 2, w / 2);
    }
}
