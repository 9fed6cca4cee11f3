package dev.logitlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.events.Passes;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * A classifier that counts the examples it pushes through the network: forward only, or forward and backward (an
 * input gradient). The phases of an evaluation run their model through one, so every report says what each attack
 * and stage cost in passes, a figure that does not move with the machine ({@link Passes}). It sits under the
 * expectation over transformation, so a randomized model's draws are each counted. The penultimate features, where
 * the model has them, count as a forward pass; logits asked for while a gradient is recorded are differentiated, so
 * they count as backward passes too.
 */
public class PassMeter implements Classifier {

    private final Classifier inner;
    private final LongAdder forward = new LongAdder();
    private final LongAdder backward = new LongAdder();

    private PassMeter(Classifier inner) {
        this.inner = inner;
    }

    /** A meter around {@code model}, with its features when it has them. */
    public static PassMeter of(Classifier model) {
        return model instanceof Classifier.WithFeatures ? new WithFeatures(model) : new PassMeter(model);
    }

    /** The passes counted so far; a piece of work's cost is the difference of two readings. */
    public Passes count() {
        return new Passes(forward.sum(), backward.sum());
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
        long rows = images.getShape().get(0);
        forward.add(rows);
        if (Torch.recordingGradient()) {
            // inside a gradient of a function of these logits (an expectation over draws): differentiated too
            backward.add(rows);
        }
        return inner.logits(images);
    }

    @Override
    public NDArray gradient(NDArray images, UnaryOperator<NDArray> lossOfLogits) {
        long rows = images.getShape().get(0);
        forward.add(rows);
        backward.add(rows);
        return inner.gradient(images, lossOfLogits);
    }

    @Override
    public void close() {
        inner.close();
    }

    private static final class WithFeatures extends PassMeter implements Classifier.WithFeatures {

        private final Classifier.WithFeatures features;

        WithFeatures(Classifier inner) {
            super(inner);
            this.features = (Classifier.WithFeatures) inner;
        }

        @Override
        public NDArray features(NDArray images) {
            long rows = images.getShape().get(0);
            super.forward.add(rows);
            if (Torch.recordingGradient()) {
                super.backward.add(rows); // the binarization test's readout is attacked through them
            }
            return features.features(images);
        }
    }
}
