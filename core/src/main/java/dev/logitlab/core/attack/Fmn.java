package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.model.Classifier;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FMN, the fast minimum-norm attack (Pintor, Roli, Brendel &amp; Biggio 2021, NeurIPS): gradient steps on the
 * logit difference z_y − max_{j≠y} z_j inside an ε-ball that adapts per example. Until a misclassified point is
 * found, ε is the linear estimate ‖δ‖ + |margin| / ‖∇‖_dual; afterwards it shrinks by (1 − γ) while the point is
 * misclassified (never above the best found) and grows by (1 + γ) while not. (Before the first find we also let
 * ε grow by (1 + γ) when the estimate does not, so a point that lands exactly on a linear boundary, where the
 * estimate stops moving, cannot stall.) Step size α and γ anneal by cosine
 * from α₀ to α₀/100 and from γ₀ = 0.05 to 0.001. The step is the ℓ2-normalised gradient, as in the reference.
 * Reports per example the smallest norm of a misclassified point it visited: the per-example minimal ε
 * that Eq. 4's prediction is compared with, because FMN does not linearise the model the way Eq. 4 does.
 */
public record Fmn(Norm norm, int steps, double initialStep) implements MinimumNormAttack {

    static final double GAMMA_START = 0.05;
    static final double GAMMA_END = 0.001;

    public Fmn {
        if (steps < 1 || !(initialStep > 0)) {
            throw new IllegalArgumentException("fmn needs steps ≥ 1 and step > 0");
        }
    }

    /** The defaults: 100 steps, α₀ = 1. */
    public static Fmn of(Norm norm) {
        return new Fmn(norm, 100, 1.0);
    }

    @Override
    public String name() {
        return "fmn";
    }

    @Override
    public Map<String, Object> params(double epsilon) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("norm", norm.label());
        params.put("steps", steps);
        params.put("initialStep", initialStep);
        params.put("gamma", GAMMA_START);
        return params;
    }

    @Override
    public double cost() {
        return 3.0 * steps;
    }


    /** Stops early once every example is within {@code stopAt}. */
    @Override
    public float[] minimalNorms(Classifier model, NDArray images, int[] labels, double stopAt) {
        Shape shape = images.getShape();
        int n = labels.length;
        int d = (int) (shape.size() / n);
        float[] clean = images.toFloatArray();
        float[] delta = new float[n * d];
        float[] best = new float[n];
        Arrays.fill(best, Float.POSITIVE_INFINITY);
        double[] eps = new double[n];
        Arrays.fill(eps, Double.POSITIVE_INFINITY);
        float[] point = new float[n * d];
        try (NDManager scope = model.manager().newSubManager()) {
            for (int step = 0; step <= steps; step++) {
                for (int k = 0; k < n * d; k++) {
                    point[k] = clean[k] + delta[k];
                }
                float[] margin;
                float[] gradient;
                try (NDManager local = scope.newSubManager()) {
                    NDArray[] loss = new NDArray[1];
                    NDArray g = model.gradient(local.create(FloatBuffer.wrap(point), shape), logits -> {
                        loss[0] = Losses.margin(logits, AttackArrays.oneHot(labels, logits));
                        return loss[0].sum();
                    });
                    margin = loss[0].neg().toFloatArray();   // z_y − max_{j≠y} z_j: negative once misclassified
                    gradient = g.toFloatArray();
                }
                for (int i = 0; i < n; i++) {
                    if (margin[i] < 0) {
                        best[i] = (float) Math.min(best[i], norm.of(delta, i * d, d));
                    }
                }
                if (step == steps || allWithin(best, stopAt)) {
                    break;
                }
                double progress = (double) step / steps;
                double cosine = (1 + Math.cos(Math.PI * progress)) / 2;
                double alpha = initialStep / 100 + (initialStep - initialStep / 100) * cosine;
                double gamma = GAMMA_END + (GAMMA_START - GAMMA_END) * cosine;
                for (int i = 0; i < n; i++) {
                    int o = i * d;
                    if (margin[i] < 0) {
                        eps[i] = Math.min(eps[i] * (1 - gamma), best[i]);
                    } else if (Float.isFinite(best[i])) {
                        eps[i] = eps[i] * (1 + gamma);
                    } else {
                        double estimate = norm.of(delta, o, d) + margin[i] / Math.max(norm.dual(gradient, o, d), 1e-12);
                        eps[i] = step == 0 ? estimate : Math.max(estimate, eps[i] * (1 + gamma));
                    }
                    // The margin's gradient points towards the runner-up class: step along it, ℓ2-normalised.
                    double length = Math.max(Norm.L2.of(gradient, o, d), 1e-12);
                    for (int k = o; k < o + d; k++) {
                        delta[k] += (float) (alpha * gradient[k] / length);
                    }
                    norm.clipToBall(delta, o, d, eps[i]);
                    for (int k = o; k < o + d; k++) {
                        delta[k] = Math.max(0, Math.min(1, clean[k] + delta[k])) - clean[k];
                    }
                }
            }
        }
        return best;
    }

    private static boolean allWithin(float[] best, double stopAt) {
        for (float b : best) {
            if (!(b <= stopAt)) {
                return false;
            }
        }
        return true;
    }
}
