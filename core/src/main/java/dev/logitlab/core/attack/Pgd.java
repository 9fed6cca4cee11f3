package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Torch;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Projected gradient descent (Madry et al. 2018): random start in the ε-ball, {@code steps} steps of α along
 * the steepest-ascent direction of ∇ₓL (sign for ℓ∞, the ℓ2-normalised gradient for ℓ2) projected onto the
 * ε-ball ∩ [0, 1], {@code restarts} restarts; an example is broken if any iterate of any restart is misclassified.
 * Loss: cross-entropy ({@code pgd}) or the Carlini–Wagner margin ({@code pgd-margin}), which a saturated softmax
 * cannot flatten. Default step ε/8 = 2.5ε/20. A random start whose gradient is exactly zero is a fixed point (a zero
 * step, then the same point and gradient again): its example leaves the run until the next restart, which changes no
 * outcome of a deterministic model and saves the rest of its steps on a model that masks its gradients.
 */
public record Pgd(Norm norm, Loss loss, int steps, Double step, int restarts) implements Attack {

    /** The loss PGD ascends. */
    public enum Loss { CE, MARGIN }

    public Pgd {
        if (steps < 1 || restarts < 1 || (step != null && !(step > 0))) {
            throw new IllegalArgumentException("pgd needs steps ≥ 1, restarts ≥ 1 and step > 0");
        }
    }

    public static Pgd crossEntropy(int steps) {
        return new Pgd(Norm.LINF, Loss.CE, steps, null, 1);
    }

    @Override
    public String name() {
        return loss == Loss.CE ? "pgd" : "pgd-margin";
    }

    @Override
    public Map<String, Object> params(double epsilon) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("norm", norm.label());
        params.put("loss", loss == Loss.CE ? "ce" : "margin");
        params.put("steps", steps);
        params.put("step", stepSize(epsilon));
        params.put("restarts", restarts);
        params.put("randomStart", true);
        return params;
    }

    @Override
    public double cost() {
        return 3.0 * steps * restarts;
    }

    @Override
    public boolean usesGradients() {
        return true;
    }

    double stepSize(double epsilon) {
        return step != null ? step : epsilon / 8;
    }

    @Override
    public boolean[] run(Classifier model, NDArray images, int[] labels, double epsilon, long seed) {
        float[] eps = new float[labels.length];
        Arrays.fill(eps, (float) epsilon);
        return run(model, images, labels, eps, seed);
    }

    /** PGD with a budget per example (the minimal-ε search bisects on it); the step scales with each ε. */
    public boolean[] run(Classifier model, NDArray images, int[] labels, float[] epsilon, long seed) {
        try (NDManager scope = model.manager().newSubManager()) {
            Torch.seed(seed);
            NDArray x = AttackArrays.copy(images, scope);
            ActiveSet active = new ActiveSet(Losses.misclassified(model.logits(x), labels));
            for (int r = 0; r < restarts; r++) {
                active.restart();
                if (active.isEmpty()) {
                    break;
                }
                int[] positions = active.index();
                int[] y = ActiveSet.rows(labels, positions);
                NDArray clean = ActiveSet.rows(x, positions);
                NDArray eps = column(scope, epsilon, positions);
                NDArray alpha = step != null ? scope.full(eps.getShape(), step.floatValue()) : eps.div(8);
                NDArray adversarial = clean.add(norm.randomInBall(scope, clean.getShape()).mul(eps)).clip(0, 1);
                for (int s = 0; s <= steps && !active.isEmpty(); s++) {
                    try (NDScope stepScope = new NDScope()) {
                        NDArray[] logits = new NDArray[1];
                        int[] labelsNow = y;
                        NDArray gradient = s == steps ? null : model.gradient(adversarial, z -> {
                            logits[0] = z;
                            return loss(z, AttackArrays.oneHot(labelsNow, z)).sum();
                        });
                        if (gradient == null) {
                            logits[0] = model.logits(adversarial);
                        }
                        // A start whose gradient is exactly zero takes a zero step: the same point, the same gradient,
                        // every step to the end of this restart (a model that draws noise may differ). Checked at the
                        // start only, where masking shows; later iterates run on, as before.
                        boolean[] stalled = s == 0 ? fixedPoints(model, gradient) : null;
                        int[] keep = active.update(Losses.misclassified(logits[0], y), stalled);
                        NDArray cleanBefore = clean;
                        NDArray epsBefore = eps;
                        NDArray alphaBefore = alpha;
                        NDArray next = gradient == null ? adversarial
                                : norm.project(adversarial.add(norm.steepest(gradient).mul(alpha)), clean, eps);
                        if (keep != null) {
                            next = ActiveSet.rows(next, keep);
                            clean = ActiveSet.rows(clean, keep);
                            eps = ActiveSet.rows(eps, keep);
                            alpha = ActiveSet.rows(alpha, keep);
                            y = ActiveSet.rows(y, keep);
                        }
                        NDScope.unregister(next, clean, eps, alpha);
                        AttackArrays.release(new NDArray[] {adversarial, cleanBefore, epsBefore, alphaBefore},
                                next, clean, eps, alpha);
                        adversarial = next;
                    }
                }
            }
            return active.broken();
        }
    }

    /**
     * The rows of a start's gradient that are exactly zero: fixed points of the iteration. None for a model drawn
     * through EOT, whose next draws may differ at the same point.
     */
    static boolean[] fixedPoints(Classifier model, NDArray gradient) {
        if (model instanceof ExpectationOverTransformation) {
            return null;
        }
        return gradient.abs().sum(new int[] {1, 2, 3}).eq(0).toBooleanArray();
    }

    private NDArray loss(NDArray logits, NDArray oneHot) {
        return loss == Loss.CE ? Losses.crossEntropy(logits, oneHot) : Losses.margin(logits, oneHot);
    }

    /**
     * The full PGD trajectory on the cross-entropy, no early stopping: what adversarial training trains on
     * and what a transfer attack carries from its surrogate to the target.
     */
    public static NDArray perturb(Norm norm, UnaryOperator<NDArray> logits, NDArray images, NDArray oneHot,
                                  double epsilon, int steps, double stepSize) {
        float eps = (float) epsilon;
        NDArray adversarial = images.add(norm.randomInBall(images.getManager(), images.getShape()).mul(eps)).clip(0, 1);
        for (int step = 0; step < steps; step++) {
            NDArray gradient = InputGradient.of(logits, adversarial, z -> Losses.crossEntropy(z, oneHot).sum());
            adversarial = norm.project(adversarial.add(norm.steepest(gradient).mul((float) stepSize)), images, eps);
        }
        return adversarial;
    }

    /** Per-example values at the given positions as an N×1×1×1 column that broadcasts over images. */
    static NDArray column(NDManager manager, float[] values, int[] positions) {
        float[] picked = new float[positions.length];
        for (int i = 0; i < positions.length; i++) {
            picked[i] = values[positions[i]];
        }
        return manager.create(picked, new ai.djl.ndarray.types.Shape(positions.length, 1, 1, 1));
    }
}
