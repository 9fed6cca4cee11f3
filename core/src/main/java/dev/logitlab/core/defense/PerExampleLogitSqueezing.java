package dev.logitlab.core.defense;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Logit squeezing as Kannan, Kurakin, Goodfellow 2018 (arXiv:1803.06373) and Mosbach et al. 2018 ran it: λ times the
 * mean over examples of the ℓ2 norm of each example's logits, λ·mean_i ‖z_i‖₂, not squared (their code: the mean of
 * {@code norm(logits, axis=1)}). Before 2026-12-08 the norm was squared, a penalty with about 2‖z‖ times the
 * gradient at a logit norm ‖z‖; no weight of this form equals it. Shafahi et al.'s {@code lsq} is β‖Z‖_F over the whole
 * batch: told apart by name ({@code lsqk} here, for Kannan).
 */
public record PerExampleLogitSqueezing(double lambda) implements DefenseTerm.PenaltyTerm {

    public PerExampleLogitSqueezing {
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("lsqk=" + DefenseTerm.format(lambda) + ": λ must be > 0");
        }
    }

    /** λ·mean_i ‖z_i‖₂ for logits Z (N×K); a scalar (the tiny constant keeps the gradient finite at z = 0). */
    public NDArray penalty(NDArray logits) {
        return logits.square().sum(new int[] {1}).add(1e-12f).sqrt().mean().mul((float) lambda);
    }

    @Override
    public String name() {
        return "lsqk";
    }

    @Override
    public Map<String, Number> parameters() {
        return Map.of("lambda", lambda);
    }

    @Override
    public String spec() {
        return "lsqk=" + DefenseTerm.format(lambda);
    }
}
