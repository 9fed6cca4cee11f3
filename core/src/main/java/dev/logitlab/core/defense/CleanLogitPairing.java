package dev.logitlab.core.defense;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Clean logit pairing (Kannan, Kurakin, Goodfellow 2018, arXiv:1803.06373): adds λ times the mean squared difference
 * of the logits of random pairs of clean images over pairs and classes, λ·mean_{(i,j),k} (z_k(x_i) − z_k(x_j))², as
 * the papers' code computes it (a mean squared error), so λ is theirs; before 2026-12-08 the distance was summed over
 * the K classes (an old {@code clp=λ} is today's {@code clp=K·λ}). The batch is already
 * shuffled, so its first half paired with its second half is a random pairing (an odd last image sits out).
 * Mosbach et al. 2018 (arXiv:1810.12042) show it makes the loss surface hard for first-order attacks rather than the
 * model robust.
 */
public record CleanLogitPairing(double lambda) implements DefenseTerm.PenaltyTerm {

    public CleanLogitPairing {
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("clp=" + DefenseTerm.format(lambda) + ": λ must be > 0");
        }
    }

    /** λ·mean over pairs (i, i + ⌊N/2⌋) and classes k of (z_ik − z_{i+⌊N/2⌋,k})² for logits Z (N×K); 0 for one image. */
    public NDArray penalty(NDArray logits) {
        long half = logits.getShape().get(0) / 2;
        if (half == 0) {
            return logits.getManager().zeros(new ai.djl.ndarray.types.Shape(), logits.getDataType());
        }
        NDArray first = logits.get("0:" + half);
        NDArray second = logits.get(half + ":" + (2 * half));
        return first.sub(second).square().mean().mul((float) lambda);
    }

    @Override
    public String name() {
        return "clp";
    }

    @Override
    public Map<String, Number> parameters() {
        return Map.of("lambda", lambda);
    }

    @Override
    public String spec() {
        return "clp=" + DefenseTerm.format(lambda);
    }
}
