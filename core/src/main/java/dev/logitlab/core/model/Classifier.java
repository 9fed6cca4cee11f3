package dev.logitlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.attack.InputGradient;
import java.util.function.UnaryOperator;

/**
 * Anything evaluable: maps images N×C×H×W in [0, 1] to logits N×K. A logitlab checkpoint or an external
 * TorchScript file; attacks see nothing else, so a defense cannot hide behind its own code paths.
 */
public interface Classifier extends AutoCloseable {

    /** Where the model came from, for reports. */
    String description();

    /** The manager that owns the model's weights; attacks open sub-managers of it. */
    NDManager manager();

    /** Logits for a batch of images, in inference mode. */
    NDArray logits(NDArray images);

    /** ∇ₓ of a scalar loss of the logits; weights are never differentiated. */
    default NDArray gradient(NDArray images, UnaryOperator<NDArray> lossOfLogits) {
        return InputGradient.of(this::logits, images, lossOfLogits);
    }

    @Override
    void close();

    /** A classifier whose penultimate representation is reachable (logitlab networks; not TorchScript files). */
    interface WithFeatures {

        /** The input of the last layer, N×D, differentiable in the images. */
        NDArray features(NDArray images);
    }
}
