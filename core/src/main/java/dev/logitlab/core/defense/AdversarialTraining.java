package dev.logitlab.core.defense;

import ai.djl.ndarray.NDArray;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.attack.Pgd;
import dev.logitlab.core.model.Network;
import java.util.Map;

/**
 * PGD adversarial training (Madry et al. 2018): train on PGD-k examples with a random start and step
 * 2.5ε/k, crafted against the current weights in inference mode (batch statistics untouched).
 */
public record AdversarialTraining(double epsilon, int steps) implements DefenseTerm.InputTerm {

    public static final int DEFAULT_STEPS = 7;

    public AdversarialTraining {
        if (!(epsilon > 0 && epsilon <= 1)) {
            throw new IllegalArgumentException("at=" + DefenseTerm.format(epsilon) + ": ε must be in (0, 1]");
        }
        if (steps < 1 || steps > 1000) {
            throw new IllegalArgumentException("at=" + DefenseTerm.format(epsilon) + ":steps=" + steps
                    + ": steps must be in 1..1000");
        }
    }

    /** Madry et al.'s step: 2.5ε/k, so k steps can walk across the ball and back. */
    public double stepSize() {
        return 2.5 * epsilon / steps;
    }

    /** PGD examples for a batch (images N×C×H×W, one-hot labels N×K). */
    public NDArray apply(Network network, NDArray images, NDArray oneHot) {
        try (Network.Frozen frozen = network.freeze()) {
            return Pgd.perturb(Norm.LINF, x -> network.forward(x, false), images, oneHot, epsilon, steps, stepSize());
        }
    }

    @Override
    public String name() {
        return "at";
    }

    @Override
    public Map<String, Number> parameters() {
        return Map.of("epsilon", epsilon, "steps", steps);
    }

    @Override
    public String spec() {
        return "at=" + DefenseTerm.format(epsilon) + (steps == DEFAULT_STEPS ? "" : ":steps=" + steps);
    }
}
