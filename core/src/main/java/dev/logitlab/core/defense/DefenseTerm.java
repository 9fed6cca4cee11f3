package dev.logitlab.core.defense;

import java.math.BigDecimal;
import java.util.Map;

/** One term of the training objective, as written in a defense spec (e.g. {@code ls=0.5}). */
public interface DefenseTerm {

    /** The term's name in the spec grammar: ls, lsq, lsqk, gn, als, at, alp, clp. */
    String name();

    /** The term's parameters by their names in the papers (alpha, beta, sigma, epsilon, steps, …). */
    Map<String, Number> parameters();

    /** The canonical spec text of this term. */
    String spec();

    /** A term that changes the training inputs (noise, adversarial examples). */
    interface InputTerm extends DefenseTerm {
    }

    /** A term that changes the soft targets of the cross-entropy. */
    interface TargetTerm extends DefenseTerm {
    }

    /** A term added to the loss. */
    interface PenaltyTerm extends DefenseTerm {

        /** The scalar added to the loss for a batch's logits. */
        ai.djl.ndarray.NDArray penalty(ai.djl.ndarray.NDArray logits);
    }

    /** Numbers as people write them: 0.5, not 0.50000000001 or 5E-1 (specs, budgets, reports). */
    static String format(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
