package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/**
 * Projected gradient descent (Madry et al. 2018) on the cross-entropy: random start in the ε-ball, then
 * {@code steps} steps of α·sign(∇ₓL), each projected onto the ε-ball ∩ [0, 1].
 */
public record Pgd(double epsilon, int steps, double stepSize, boolean randomStart) {

    public Pgd {
        if (!(epsilon > 0) || steps < 1 || !(stepSize > 0)) {
            throw new IllegalArgumentException("PGD needs ε > 0, steps ≥ 1 and a step > 0; got ε=" + epsilon
                    + ", steps=" + steps + ", step=" + stepSize);
        }
    }

    /** Adversarial images for one-hot labels (N×K) against a model given by its logits function. */
    public NDArray perturb(UnaryOperator<NDArray> logits, NDArray images, NDArray oneHot) {
        float eps = (float) epsilon;
        NDArray adversarial = images;
        if (randomStart) {
            NDArray start = images.getManager().randomUniform(-eps, eps, images.getShape(), images.getDataType());
            adversarial = images.add(start).clip(0, 1);
        }
        for (int step = 0; step < steps; step++) {
            NDArray gradient = InputGradient.of(logits, adversarial, z -> z.logSoftmax(1).mul(oneHot).sum().neg());
            adversarial = project(adversarial.add(gradient.sign().mul((float) stepSize)), images, eps);
        }
        return adversarial;
    }

    /** Clips into the ε-ball around the clean images and into [0, 1]. */
    static NDArray project(NDArray candidate, NDArray clean, float eps) {
        return candidate.sub(clean).clip(-eps, eps).add(clean).clip(0, 1);
    }
}
