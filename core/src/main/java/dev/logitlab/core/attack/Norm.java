package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;

/**
 * The threat model's norm: ℓ∞ (every pixel moves at most ε) or ℓ2 (the perturbation's Euclidean length is at
 * most ε). Works on batches of images (N×C×H×W), which is what the gradient attacks step and project, and on one
 * example's flat perturbation in a Java array, where the minimum-norm attacks keep their per-example bookkeeping.
 */
public enum Norm {
    LINF("linf"), L2("l2");

    private final String label;

    Norm(String label) {
        this.label = label;
    }

    /** The name in specs and reports: {@code linf} or {@code l2}. */
    public String label() {
        return label;
    }

    /** Parses {@code linf}/{@code inf} or {@code l2}/{@code 2}. */
    public static Norm parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "linf", "inf", "infinity" -> LINF;
            case "l2", "2", "2.0" -> L2;
            default -> throw new IllegalArgumentException("norm must be linf or l2, got '" + text + "'");
        };
    }

    /** Per example ‖a‖ in this norm, as an N×1×1×1 column. */
    public NDArray of(NDArray a) {
        long n = a.getShape().get(0);
        NDArray flat = a.reshape(n, -1);
        NDArray norm = this == LINF ? flat.abs().max(new int[] {1}) : flat.square().sum(new int[] {1}).sqrt();
        return norm.reshape(n, 1, 1, 1);
    }

    /**
     * The unit-norm direction of steepest ascent for a batch of gradients: sign(g) for ℓ∞, g/‖g‖₂ per example for
     * ℓ2 (zero where the gradient is zero).
     */
    public NDArray steepest(NDArray gradient) {
        return this == LINF ? gradient.sign() : gradient.div(L2.of(gradient).add(1e-12f));
    }

    /**
     * Moves each candidate into the ball of radius ε (an N×1×1×1 column) around its clean image, then into
     * [0, 1]. For ℓ2 the perturbation is scaled down to ε; clipping to the box afterwards keeps it inside the ball,
     * because every clipped pixel moves towards its clean value, which lies in the box.
     */
    public NDArray project(NDArray candidate, NDArray clean, NDArray eps) {
        NDArray delta = candidate.sub(clean);
        NDArray inBall = this == LINF ? delta.minimum(eps).maximum(eps.neg())
                : delta.mul(eps.div(L2.of(delta).maximum(eps)));
        return inBall.add(clean).clip(0, 1);
    }

    /** {@link #project(NDArray, NDArray, NDArray)} with one ε for the whole batch. */
    public NDArray project(NDArray candidate, NDArray clean, float eps) {
        long n = candidate.getShape().get(0);
        return project(candidate, clean, candidate.getManager().full(new Shape(n, 1, 1, 1), eps));
    }

    /**
     * Random points on the unit sphere of this norm, one per example: random vertices (±1 per pixel) for ℓ∞,
     * normalised Gaussian directions for ℓ2.
     */
    public NDArray randomOnSphere(NDManager manager, Shape shape) {
        return this == LINF ? manager.randomUniform(-1, 1, shape).sign()
                : L2.steepest(manager.randomNormal(shape));
    }

    /**
     * Random points in the unit ball, one per example: uniform per pixel for ℓ∞; for ℓ2 a random direction at a
     * radius uniform in [0, 1] (PGD's random start).
     */
    public NDArray randomInBall(NDManager manager, Shape shape) {
        if (this == LINF) {
            return manager.randomUniform(-1, 1, shape);
        }
        NDArray radius = manager.randomUniform(0, 1, new Shape(shape.get(0), 1, 1, 1));
        return randomOnSphere(manager, shape).mul(radius);
    }

    /** ‖v[from, from + length)‖ in this norm. */
    public double of(float[] v, int from, int length) {
        double acc = 0;
        for (int k = from; k < from + length; k++) {
            acc = this == LINF ? Math.max(acc, Math.abs(v[k])) : acc + (double) v[k] * v[k];
        }
        return this == LINF ? acc : Math.sqrt(acc);
    }

    /** The dual norm (ℓ1 for ℓ∞, ℓ2 for ℓ2): the distance to a hyperplane w·x = b is |w·x − b| / ‖w‖_dual. */
    public double dual(float[] v, int from, int length) {
        double acc = 0;
        for (int k = from; k < from + length; k++) {
            acc += this == LINF ? Math.abs(v[k]) : (double) v[k] * v[k];
        }
        return this == LINF ? acc : Math.sqrt(acc);
    }

    /** Shrinks the perturbation v[from, from + length) into the ε-ball of this norm, in place. */
    public void clipToBall(float[] v, int from, int length, double eps) {
        if (this == LINF) {
            float e = (float) eps;
            for (int k = from; k < from + length; k++) {
                v[k] = Math.max(-e, Math.min(e, v[k]));
            }
        } else {
            double norm = of(v, from, length);
            if (norm > eps) {
                float scale = (float) (eps / norm);
                for (int k = from; k < from + length; k++) {
                    v[k] *= scale;
                }
            }
        }
    }
}
