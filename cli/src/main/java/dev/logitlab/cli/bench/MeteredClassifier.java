package dev.logitlab.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.model.Classifier;
import java.util.function.UnaryOperator;

/**
 * A classifier that counts the examples it pushes through the network, forward only or forward and backward, and
 * the time spent there (libtorch's forward and backward passes, through DJL): what {@code ./lab bench peers} splits
 * an attack's time by, so a gap to a peer reads as more passes, slower passes, or time outside the network.
 */
final class MeteredClassifier implements Classifier {

    private final Classifier inner;
    private long forwardRows;
    private long gradientRows;
    private long nanos;

    MeteredClassifier(Classifier inner) {
        this.inner = inner;
    }

    /** The counts since the last call, then zero. */
    PeerLimits.Passes take() {
        PeerLimits.Passes meter = new PeerLimits.Passes(forwardRows, gradientRows, nanos / 1e9);
        forwardRows = 0;
        gradientRows = 0;
        nanos = 0;
        return meter;
    }

    @Override
    public String description() {
        return inner.description();
    }

    @Override
    public NDManager manager() {
        return inner.manager();
    }

    @Override
    public NDArray logits(NDArray images) {
        long start = System.nanoTime();
        NDArray logits = inner.logits(images);
        nanos += System.nanoTime() - start;
        forwardRows += images.getShape().get(0);
        return logits;
    }

    @Override
    public NDArray gradient(NDArray images, UnaryOperator<NDArray> lossOfLogits) {
        long start = System.nanoTime();
        NDArray gradient = inner.gradient(images, lossOfLogits);
        nanos += System.nanoTime() - start;
        gradientRows += images.getShape().get(0);
        return gradient;
    }

    @Override
    public void close() {
        inner.close();
    }
}
