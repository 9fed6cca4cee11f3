package dev.logitlab.core.evaluation;

import dev.logitlab.core.attack.Budget;
import dev.logitlab.core.attack.Norm;
import java.util.ArrayList;
import java.util.List;

/**
 * What to evaluate: the ℓ∞ budgets {@code eps}, the ℓ2 budgets {@code epsL2} (may be empty), the attack spec or
 * suite (run in each norm that has budgets), the first {@code limit} test images (file order), the seed, on how
 * many correctly classified examples to measure gap statistics (0: none), on how many of those to search PGD's
 * and FMN's minimal ε (the costliest part of the analysis; negative: all of them), and on how many single draws a
 * randomized model is judged as deployed ({@link SingleDraws}).
 */
public record EvaluationPlan(List<Double> eps, List<Double> epsL2, String attacks, int limit, long seed, int gapLimit,
                             int searchLimit, int singleDraws) {

    /** The largest ℓ2 budget accepted: far beyond any image distance of interest, small enough to catch typos. */
    public static final double MAX_EPS_L2 = 100;

    public EvaluationPlan {
        if (eps == null || eps.isEmpty()) {
            throw new IllegalArgumentException("eps: give at least one ℓ∞ budget, e.g. 0.1");
        }
        eps = checked("eps", eps, 1);
        epsL2 = epsL2 == null ? List.of() : checked("epsL2", epsL2, MAX_EPS_L2);
        attacks = attacks == null || attacks.isBlank() ? "default" : attacks;
        if (limit < 1) {
            throw new IllegalArgumentException("limit: must be ≥ 1, got " + limit);
        }
        if (gapLimit < 0) {
            throw new IllegalArgumentException("gapLimit: must be ≥ 0, got " + gapLimit);
        }
        searchLimit = searchLimit < 0 ? gapLimit : Math.min(searchLimit, gapLimit);
        if (singleDraws < 1 || singleDraws > SingleDraws.MAX_DRAWS) {
            throw new IllegalArgumentException("singleDraws: must be in [1, " + SingleDraws.MAX_DRAWS + "], got "
                    + singleDraws);
        }
    }

    /** A plan judging a randomized model on the default {@value SingleDraws#DRAWS} single draws. */
    public EvaluationPlan(List<Double> eps, List<Double> epsL2, String attacks, int limit, long seed, int gapLimit,
                          int searchLimit) {
        this(eps, epsL2, attacks, limit, seed, gapLimit, searchLimit, SingleDraws.DRAWS);
    }

    /** A plan whose minimal-ε searches (PGD, FMN) cover every gap example. */
    public EvaluationPlan(List<Double> eps, List<Double> epsL2, String attacks, int limit, long seed, int gapLimit) {
        this(eps, epsL2, attacks, limit, seed, gapLimit, -1);
    }

    /** A submitted evaluation's plan under a seed. */
    public static EvaluationPlan of(dev.logitlab.events.RunSpec.Evaluation e, long seed) {
        return new EvaluationPlan(e.eps(), e.epsL2(), e.attacks(), e.limit(), seed, e.gapLimit(),
                e.searchLimit() == null ? -1 : e.searchLimit(), e.singleDraws() == null ? SingleDraws.DRAWS
                : e.singleDraws());
    }

    /** An ℓ∞-only plan. */
    public EvaluationPlan(List<Double> eps, String attacks, int limit, long seed, int gapLimit) {
        this(eps, List.of(), attacks, limit, seed, gapLimit);
    }

    /** Every threat model in evaluation order: the ℓ∞ budgets ascending, then the ℓ2 budgets ascending. */
    public List<Budget> budgets() {
        List<Budget> budgets = new ArrayList<>();
        eps.forEach(e -> budgets.add(new Budget(Norm.LINF, e)));
        epsL2.forEach(e -> budgets.add(new Budget(Norm.L2, e)));
        return List.copyOf(budgets);
    }

    /** The norms with at least one budget. */
    public List<Norm> norms() {
        return epsL2.isEmpty() ? List.of(Norm.LINF) : List.of(Norm.LINF, Norm.L2);
    }

    private static List<Double> checked(String field, List<Double> values, double max) {
        for (Double e : values) {
            if (e == null || !(e > 0 && e <= max)) {
                throw new IllegalArgumentException(field + ": every budget must be in (0, " + (max == 1 ? "1" : "100")
                        + "], got " + e);
            }
        }
        return values.stream().distinct().sorted().toList();
    }
}
