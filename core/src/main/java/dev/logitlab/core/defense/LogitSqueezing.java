package dev.logitlab.core.defense;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** Logit squeezing (Shafahi et al. 2019): adds β‖Z‖_F, the Frobenius norm of the mini-batch logit matrix. */
public record LogitSqueezing(double beta) implements DefenseTerm.PenaltyTerm {

    public LogitSqueezing {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("lsq=" + DefenseTerm.format(beta) + ": β must be > 0");
        }
    }

    /** β‖Z‖_F for a logit matrix Z (N×K); a scalar. */
    public NDArray penalty(NDArray logits) {
        return logits.square().sum().sqrt().mul((float) beta);
    }

    @Override
    public String name() {
        return "lsq";
    }

    @Override
    public Map<String, Number> parameters() {
        return Map.of("beta", beta);
    }

    @Override
    public String spec() {
        return "lsq=" + DefenseTerm.format(beta);
    }
}
