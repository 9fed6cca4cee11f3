package dev.logitlab.core.defense;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Logit squeezing as Kannan, Kurakin, Goodfellow 2018 (arXiv:1803.06373) define it: λ times the mean over examples of
 * the squared ℓ2 norm of each example's logits, λ·mean_i ‖z_i‖²₂. Shafahi et al.'s {@code lsq} is β‖Z‖_F over the
 * whole batch, not squared: the two penalties grow differently with the logits and are told apart by name
 * ({@code lsqk} here, for Kannan).
 */
public record PerExampleLogitSqueezing(double lambda) implements DefenseTerm.PenaltyTerm {

    public PerExampleLogitSqueezing {
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("lsqk=" + DefenseTerm.format(lambda) + ": λ must be > 0");
        }
    }

    /** λ·mean_i ‖z_i‖²₂ for logits Z (N×K); a scalar. */
    public NDArray penalty(NDArray logits) {
        return logits.square().sum(new int[] {1}).mean().mul((float) lambda);
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
