package dev.logitlab.core.attack;

import java.util.Locale;

/**
 * The threat model's norm: ℓ∞ (every pixel moves at most ε) or ℓ2 (the perturbation's Euclidean length is at
 * most ε). Works on one example's flat perturbation in a Java array, which is where the minimum-norm attacks
 * keep their per-example bookkeeping.
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
