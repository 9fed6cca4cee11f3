package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Torch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Random noise in the ε-ball: {@code draws} tries per example, alternating a random point inside the ball and one
 * on its sphere (ℓ∞: uniform noise and random vertices ±ε per pixel; ℓ2: a random direction at a uniform radius
 * and at ε). A sanity baseline: if it breaks what gradient attacks missed, the gradients lie.
 */
public record RandomNoise(Norm norm, int draws) implements Attack {

    public RandomNoise {
        if (draws < 1) {
            throw new IllegalArgumentException("noise needs draws ≥ 1");
        }
    }

    @Override
    public String name() {
        return "noise";
    }

    @Override
    public Map<String, Object> params(double epsilon) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("norm", norm.label());
        params.put("draws", draws);
        params.put("distribution", "in the ball and on its sphere, alternating");
        return params;
    }

    @Override
    public double cost() {
        return draws;
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    public boolean[] run(Classifier model, NDArray images, int[] labels, double epsilon, long seed) {
        try (NDManager scope = model.manager().newSubManager()) {
            Torch.seed(seed);
            NDArray x = AttackArrays.copy(images, scope);
            ActiveSet active = new ActiveSet(Losses.misclassified(model.logits(x), labels));
            NDArray clean = ActiveSet.rows(x, active.index());
            int[] y = ActiveSet.rows(labels, active.index());
            float eps = (float) epsilon;
            for (int draw = 0; draw < draws && !active.isEmpty(); draw++) {
                try (NDScope step = new NDScope()) {
                    NDArray noise = (draw % 2 == 0 ? norm.randomInBall(scope, clean.getShape())
                            : norm.randomOnSphere(scope, clean.getShape())).mul(eps);
                    int[] keep = active.update(Losses.misclassified(model.logits(clean.add(noise).clip(0, 1)), y));
                    if (keep != null) {
                        NDArray kept = ActiveSet.rows(clean, keep);
                        NDScope.unregister(kept);
                        clean.close();
                        clean = kept;
                        y = ActiveSet.rows(y, keep);
                    }
                }
            }
            return active.broken();
        }
    }
}
