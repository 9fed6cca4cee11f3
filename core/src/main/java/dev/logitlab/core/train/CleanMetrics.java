package dev.logitlab.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
                NDArray logits = network.forward(test.images(step, from, to, buffer), false);
                NDArray labels = step.create(java.util.Arrays.copyOfRange(test.labels(), from, to));
                correct += logits.argMax(1).toType(labels.getDataType(), false).eq(labels).sum().getLong();
                normSum += logits.norm(new int[] {1}).sum().getFloat();
            }
        }
        return new CleanMetrics((double) correct / test.size(), normSum / test.size());
    }
}
