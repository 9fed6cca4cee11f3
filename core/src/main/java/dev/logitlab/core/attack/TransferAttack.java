package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Torch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Transfer attack: PGD examples crafted on a surrogate model (its own gradients), then shown to the target,
 * which is only queried. If these break more than white-box attacks on the target, its gradients lie.
 */
public record TransferAttack(Norm norm, Classifier surrogate, int steps) implements Attack {

    @Override
    public String name() {
        return "transfer";
    }

    @Override
    public Map<String, Object> params(double epsilon) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("norm", norm.label());
        params.put("surrogate", surrogate.description());
        params.put("steps", steps);
        params.put("step", epsilon / 8);
        params.put("loss", "ce");
        return params;
    }

    @Override
    public double cost() {
        return 3.0 * steps + 1;
    }

    @Override
    public boolean usesGradients() {
        return false; // gradients of the surrogate only; the target is never differentiated
    }

    @Override
    public boolean[] run(Classifier model, NDArray images, int[] labels, double epsilon, long seed) {
        try (NDManager scope = surrogate.manager().newSubManager()) {
            Torch.seed(seed);
            NDArray x = AttackArrays.copy(images, scope);
            NDArray oneHot = AttackArrays.oneHot(scope, labels, surrogate.logits(x.get("0:1")).getShape().get(1));
            NDArray adversarial = Pgd.perturb(norm, surrogate::logits, x, oneHot, epsilon, steps, epsilon / 8);
            try (NDManager target = model.manager().newSubManager()) {
                NDArray clean = AttackArrays.copy(x, target);
                NDArray crafted = AttackArrays.copy(adversarial, target);
                boolean[] broken = Losses.misclassified(model.logits(clean), labels);
                boolean[] transferred = Losses.misclassified(model.logits(crafted), labels);
                for (int i = 0; i < broken.length; i++) {
                    broken[i] |= transferred[i];
                }
                return broken;
            }
        }
    }
}
