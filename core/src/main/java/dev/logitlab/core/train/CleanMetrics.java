package dev.logitlab.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Network;

/** Accuracy and mean logit norm ‖z(x)‖₂ of a network on clean test images. */
public record CleanMetrics(double accuracy, double meanLogitNorm) {

    private static final int BATCH = 500;

    public static CleanMetrics measure(Network network, Dataset test) {
        long correct = 0;
        double normSum = 0;
        float[] buffer = new float[BATCH * test.imageSize()];
        for (int from = 0; from < test.size(); from += BATCH) {
            int to = Math.min(test.size(), from + BATCH);
            try (NDManager step = network.manager().newSubManager()) {
                NDArray logits = network.forward(images(step, test, from, to, buffer), false);
                NDArray labels = step.create(java.util.Arrays.copyOfRange(test.labels(), from, to));
                correct += logits.argMax(1).toType(labels.getDataType(), false).eq(labels).sum().getLong();
                normSum += logits.norm(new int[] {1}).sum().getFloat();
            }
        }
        return new CleanMetrics((double) correct / test.size(), normSum / test.size());
    }

    /** Images [from, to) of a data set as an N×C×H×W float array in [0, 1]. */
    static NDArray images(NDManager manager, Dataset data, int from, int to, float[] buffer) {
        int n = to - from;
        data.copyImages(from, to, buffer);
        Shape shape = new Shape(n, data.channels(), data.height(), data.width());
        return manager.create(java.nio.FloatBuffer.wrap(buffer, 0, n * data.imageSize()), shape);
    }
}
