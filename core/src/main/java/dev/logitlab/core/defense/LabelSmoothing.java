package dev.logitlab.core.defense;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** Label smoothing (Shafahi et al. 2019): t = y_hot − α(y_hot − 1/K). */
public record LabelSmoothing(double alpha) implements DefenseTerm.TargetTerm {

    public LabelSmoothing {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("ls=" + DefenseTerm.format(alpha) + ": α must be in (0, 1)");
        }
    }

    /** Soft targets (N×K) from one-hot labels (N×K). */
    public NDArray targets(NDArray oneHot) {
        long classes = oneHot.getShape().get(1);
        return oneHot.sub(oneHot.sub(1.0f / classes).mul((float) alpha));
    }

    @Override
    public String name() {
        return "ls";
    }

    @Override
    public Map<String, Number> parameters() {
        return Map.of("alpha", alpha);
    }

    @Override
    public String spec() {
        return "ls=" + DefenseTerm.format(alpha);
    }
}
