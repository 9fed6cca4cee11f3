package dev.logitlab.core.defense;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Adversarial label smoothing (Goibert &amp; Dohmatob 2019): the smoothing mass goes to the currently
 * least-likely class, t = (1 − ε)·y_hot + ε·e_{argmin_k z_k(x)}.
 */
public record AdversarialLabelSmoothing(double epsilon) implements DefenseTerm.TargetTerm {

    public AdversarialLabelSmoothing {
        if (!(epsilon > 0 && epsilon < 1)) {
            throw new IllegalArgumentException("als=" + DefenseTerm.format(epsilon) + ": ε must be in (0, 1)");
        }
    }

    /** Soft targets (N×K) from one-hot labels and the logits of the same batch (treated as constants). */
    public NDArray targets(NDArray oneHot, NDArray logits) {
        int classes = (int) oneHot.getShape().get(1);
        NDArray leastLikely = logits.stopGradient().argMin(1).oneHot(classes).toType(oneHot.getDataType(), false);
        return oneHot.mul((float) (1 - epsilon)).add(leastLikely.mul((float) epsilon));
    }

    @Override
    public String name() {
        return "als";
    }

    @Override
    public Map<String, Number> parameters() {
        return Map.of("epsilon", epsilon);
    }

    @Override
    public String spec() {
        return "als=" + DefenseTerm.format(epsilon);
    }
}
