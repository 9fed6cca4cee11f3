package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.model.Classifier;
import java.util.Map;

/**
 * FGSM (Goodfellow et al. 2015): x' = clip(x + ε·sign(∇ₓ CE), 0, 1), one gradient per example; in ℓ2 the fast
 * gradient method, x + ε·∇/‖∇‖₂.
 */
public record Fgsm(Norm norm) implements Attack {

    @Override
    public String name() {
        return "fgsm";
    }

    @Override
    public Map<String, Object> params(double epsilon) {
        return Map.of("norm", norm.label(), "loss", "ce");
    }

    @Override
    public double cost() {
        return 3;
    }

    @Override
    public boolean usesGradients() {
        return true;
    }

    @Override
    public boolean[] run(Classifier model, NDArray images, int[] labels, double epsilon, long seed) {
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray x = AttackArrays.copy(images, scope);
            NDArray direction = norm.steepest(gradient(model, x, labels));
            NDArray adversarial = x.add(direction.mul((float) epsilon)).clip(0, 1);
            boolean[] broken = Losses.misclassified(model.logits(x), labels);
            boolean[] now = Losses.misclassified(model.logits(adversarial), labels);
            for (int i = 0; i < broken.length; i++) {
                broken[i] |= now[i];
            }
            return broken;
        }
    }

    /** ∇ₓ CE at the clean images: FGSM's direction in every norm, the same for every ε. */
    static NDArray gradient(Classifier model, NDArray images, int[] labels) {
        return model.gradient(images, z -> Losses.crossEntropy(z, AttackArrays.oneHot(labels, z)).sum());
    }
}
