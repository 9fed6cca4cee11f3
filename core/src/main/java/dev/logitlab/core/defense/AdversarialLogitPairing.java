package dev.logitlab.core.defense;

import ai.djl.ndarray.NDArray;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.attack.Pgd;
import dev.logitlab.core.model.Network;
import java.util.Map;

/**
 * Adversarial logit pairing (Kannan, Kurakin, Goodfellow 2018, arXiv:1803.06373): train on a mixed batch of the clean
 * images x and their PGD counterparts x′ (the mean cross-entropy over both halves, ½(CE(x) + CE(x′))) plus λ times the
 * mean squared difference of their logits over examples and classes, λ·mean_{i,k} (z_k(x_i) − z_k(x′_i))², as the
 * papers' code computes it (a mean squared error; Mosbach et al.'s uds-lsv/evaluating-logit-pairing-methods), so λ is
 * theirs. Before 2026-12-08 the distance was summed over the K classes: an old {@code alp=λ} is today's
 * {@code alp=K·λ}. The PGD
 * examples are crafted as in {@link AdversarialTraining} (ε, k steps of 2.5ε/k, random start, cross-entropy, in
 * inference mode). Engstrom, Ilyas, Athalye 2018 (arXiv:1807.10272) broke it on ImageNet with a stronger attack.
 */
public record AdversarialLogitPairing(double lambda, double epsilon, int steps) implements DefenseTerm.InputTerm,
        DefenseTerm.PenaltyTerm {

    public static final double DEFAULT_EPSILON = 0.1;

    public AdversarialLogitPairing {
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("alp=" + DefenseTerm.format(lambda) + ": λ must be > 0");
        }
        if (!(epsilon > 0 && epsilon <= 1)) {
            throw new IllegalArgumentException("alp=" + DefenseTerm.format(lambda) + ":eps=" + DefenseTerm.format(epsilon)
                    + ": ε must be in (0, 1]");
        }
        if (steps < 1 || steps > 1000) {
            throw new IllegalArgumentException("alp=" + DefenseTerm.format(lambda) + ":steps=" + steps
                    + ": steps must be in 1..1000");
        }
    }

    /** The mixed batch: the images, then their PGD counterparts (2N × C × H × W). */
    public NDArray apply(Network network, NDArray images, NDArray oneHot) {
        try (Network.Frozen frozen = network.freeze()) {
            NDArray adversarial = Pgd.perturb(Norm.LINF, x -> network.forward(x, false), images, oneHot, epsilon, steps,
                    2.5 * epsilon / steps);
            return images.concat(adversarial, 0);
        }
    }

    /** λ·mean_{i,k} (z_ik − z_{N+i,k})² for the logits (2N×K) of a mixed batch: clean first, counterparts second. */
    public NDArray penalty(NDArray logits) {
        long n = logits.getShape().get(0) / 2;
        return logits.get("0:" + n).sub(logits.get(n + ":" + (2 * n))).square().mean().mul((float) lambda);
    }

    @Override
    public String name() {
        return "alp";
    }

    @Override
    public Map<String, Number> parameters() {
        return Map.of("lambda", lambda, "epsilon", epsilon, "steps", steps);
    }

    @Override
    public String spec() {
        return "alp=" + DefenseTerm.format(lambda)
                + (epsilon == DEFAULT_EPSILON ? "" : ":eps=" + DefenseTerm.format(epsilon))
                + (steps == AdversarialTraining.DEFAULT_STEPS ? "" : ":steps=" + steps);
    }
}
