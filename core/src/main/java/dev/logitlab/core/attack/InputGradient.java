package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import dev.logitlab.core.model.Torch;
import java.util.function.UnaryOperator;

/**
 * ∇ₓ of a scalar loss of the logits. The caller freezes the weights (see {@code Network.freeze()}) so that
 * the backward pass computes input gradients only. PyTorch's recorder is global: one at a time per JVM.
 */
public final class InputGradient {

    private InputGradient() {
    }

    public static NDArray of(UnaryOperator<NDArray> logits, NDArray images, UnaryOperator<NDArray> lossOfLogits) {
        Torch.AUTOGRAD.lock();
        try (GradientCollector collector = Torch.engine().newGradientCollector()) {
            NDArray x = images.duplicate();
            x.setRequiresGradient(true);
            collector.backward(lossOfLogits.apply(logits.apply(x)));
            return x.getGradient();
        } finally {
            Torch.AUTOGRAD.unlock();
        }
    }
}
