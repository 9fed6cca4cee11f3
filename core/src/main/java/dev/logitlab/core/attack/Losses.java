package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;

/**
 * Per-example attack losses (N), all to be maximised. One-hot labels are N×K floats.
 */
public final class Losses {

    private static final float EXCLUDE = 1e30f;
    private static final float TINY = 1e-12f;

    private Losses() {
    }

    /** Cross-entropy −log softmax(z)_y. */
    public static NDArray crossEntropy(NDArray logits, NDArray oneHot) {
        return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg();
    }

    /** Carlini–Wagner margin max_{j≠y} z_j − z_y: positive exactly when the example is misclassified. */
    public static NDArray margin(NDArray logits, NDArray oneHot) {
        return runnerUp(logits, oneHot).sub(trueLogit(logits, oneHot));
    }

    /** DLR (Croce &amp; Hein 2020): −(z_y − max_{j≠y} z_j) / (z_π1 − z_π3), invariant to the logits' scale. */
    public static NDArray dlr(NDArray logits, NDArray oneHot) {
        NDArray sorted = logits.sort(1);
        long k = logits.getShape().get(1);
        NDArray spread = sorted.get(":, " + (k - 1)).sub(sorted.get(":, " + (k - 3))).add(TINY);
        return margin(logits, oneHot).div(spread);
    }

    /** Targeted DLR: −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2), pulling the example towards class t. */
    public static NDArray targetedDlr(NDArray logits, NDArray oneHot, NDArray targetOneHot) {
        NDArray sorted = logits.sort(1);
        long k = logits.getShape().get(1);
        NDArray spread = sorted.get(":, " + (k - 1))
                .sub(sorted.get(":, " + (k - 3)).add(sorted.get(":, " + (k - 4))).div(2)).add(TINY);
        return trueLogit(logits, targetOneHot).sub(trueLogit(logits, oneHot)).div(spread);
    }

    /** z_y. */
    static NDArray trueLogit(NDArray logits, NDArray oneHot) {
        return logits.mul(oneHot).sum(new int[] {1});
    }

    /** max_{j≠y} z_j. */
    static NDArray runnerUp(NDArray logits, NDArray oneHot) {
        return logits.sub(oneHot.mul(EXCLUDE)).max(new int[] {1});
    }

    /** One-hot float labels (N×K) shaped after a batch of logits. */
    public static NDArray oneHot(int[] labels, NDArray logits) {
        return AttackArrays.oneHot(labels, logits);
    }

    /** Which examples the logits misclassify. */
    public static boolean[] misclassified(NDArray logits, int[] labels) {
        long[] predicted = logits.argMax(1).toLongArray();
        boolean[] wrong = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            wrong[i] = predicted[i] != labels[i];
        }
        return wrong;
    }
}
