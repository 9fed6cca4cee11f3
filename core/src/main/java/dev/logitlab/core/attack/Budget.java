package dev.logitlab.core.attack;

/** One threat model: perturbations of at most {@code eps} in {@code norm}. */
public record Budget(Norm norm, double eps) {

    /** As in reports and logs: {@code ε=0.1} for ℓ∞, the default, and {@code ℓ2 ε=0.5}. */
    @Override
    public String toString() {
        return dev.logitlab.events.EvaluationReport.budget(norm.label(), eps);
    }
}
