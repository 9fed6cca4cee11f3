package dev.logitlab.core.evaluation;

import java.util.List;

/**
 * What to evaluate: the budgets ε, the attack spec or suite, the first {@code limit} test images (file order),
 * the seed, and on how many correctly classified examples to measure gap statistics (0: none).
 */
public record EvaluationPlan(List<Double> eps, String attacks, int limit, long seed, int gapLimit) {

    public EvaluationPlan {
        if (eps == null || eps.isEmpty()) {
            throw new IllegalArgumentException("eps: give at least one budget, e.g. 0.1");
        }
        for (double e : eps) {
            if (!(e > 0 && e <= 1)) {
                throw new IllegalArgumentException("eps: every budget must be in (0, 1], got " + e);
            }
        }
        eps = eps.stream().distinct().sorted().toList();
        attacks = attacks == null || attacks.isBlank() ? "default" : attacks;
        if (limit < 1) {
            throw new IllegalArgumentException("limit: must be ≥ 1, got " + limit);
        }
        if (gapLimit < 0) {
            throw new IllegalArgumentException("gapLimit: must be ≥ 0, got " + gapLimit);
        }
    }
}
