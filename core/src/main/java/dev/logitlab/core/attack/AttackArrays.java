package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Small helpers to move a batch into an attack's own scope and to build one-hot labels. */
final class AttackArrays {

    private AttackArrays() {
    }

    /** A copy of the images owned by {@code scope}, so everything derived from it is freed with the scope. */
    static NDArray copy(NDArray images, NDManager scope) {
        NDArray copy = images.duplicate();
        copy.attach(scope);
        return copy;
    }

    /** One-hot float labels (N×K) shaped after a batch of logits. */
    static NDArray oneHot(int[] labels, NDArray logits) {
        return oneHot(logits.getManager(), labels, logits.getShape().get(1));
    }

    static NDArray oneHot(NDManager manager, int[] labels, long classes) {
        long[] values = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            values[i] = labels[i];
        }
        return manager.create(values).oneHot((int) classes).toType(DataType.FLOAT32, false);
    }

    /** Closes the arrays of {@code previous} that are not in {@code current}: a step's replaced state. */
    static void release(NDArray[] previous, NDArray... current) {
        for (NDArray old : previous) {
            boolean kept = false;
            for (NDArray now : current) {
                kept |= old == now;
            }
            if (!kept && old != null) {
                old.close();
            }
        }
    }
}
