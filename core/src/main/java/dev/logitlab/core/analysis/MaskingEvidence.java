package dev.logitlab.core.analysis;

import dev.logitlab.core.attack.Budget;
import java.util.List;
import java.util.NavigableMap;

/**
 * Everything the indicators of attack failure look at, gathered by one evaluation.
 *
 * @param correct           per example, classified correctly before any attack
 * @param outcomes          every attack at every budget (norm and ε), per example
 * @param sweep             PGD robust accuracy at increasing ℓ∞ ε
 * @param unboundedEps      the "unbounded" budget (the whole image range)
 * @param unboundedRobustAccuracy PGD robust accuracy at that budget
 * @param zeroGradients     correctly classified examples whose DLR-loss gradient is exactly zero everywhere
 * @param probabilityRows   fraction of output rows that are in [0, 1] and sum to 1
 * @param outputVariation   largest change between two forward passes of the same image, relative to that
 *                          image's logit range (max z − min z)
 * @param incomplete        the incomplete-optimization probe at {@code probeEps}, null when no example was left
 * @param binarization      the binarization test at {@code probeEps}, null when not run
 * @param probeEps          the largest ℓ∞ ε, where the probes run
 */
public record MaskingEvidence(
        boolean[] correct,
        List<Outcome> outcomes,
        NavigableMap<Double, Double> sweep,
        double unboundedEps,
        double unboundedRobustAccuracy,
        int zeroGradients,
        double probabilityRows,
        double outputVariation,
        IncompleteOptimization.Result incomplete,
        Binarization.Result binarization,
        double probeEps) {

    /** One attack at one budget: which examples it broke. */
    public record Outcome(String attack, Budget budget, boolean usesGradients, boolean[] broken) {
    }

    public int examples() {
        return correct.length;
    }

    /** Examples an attack may miss before a check fails: 1% of the evaluation, at least one. */
    int slack() {
        return slack(examples());
    }

    /** {@link #slack()} for an evaluation of {@code examples}. */
    public static int slack(int examples) {
        return Math.max(1, (int) Math.ceil(0.01 * examples));
    }

    /** The budgets attacked, in evaluation order (ℓ∞ then ℓ2, each ascending). */
    List<Budget> budgets() {
        return outcomes.stream().map(Outcome::budget).distinct().toList();
    }

    Outcome find(String attack, Budget budget) {
        return outcomes.stream().filter(o -> o.attack().equals(attack) && o.budget().equals(budget)).findFirst()
                .orElse(null);
    }

    /** Per example: broken by some attack at this budget that matches the filter. */
    boolean[] brokenByAny(Budget budget, java.util.function.Predicate<Outcome> filter) {
        boolean[] any = new boolean[examples()];
        boolean found = false;
        for (Outcome o : outcomes) {
            if (o.budget().equals(budget) && filter.test(o)) {
                found = true;
                for (int i = 0; i < any.length; i++) {
                    any[i] |= o.broken()[i];
                }
            }
        }
        return found ? any : null;
    }

    /** Correct examples broken by the first set and by none of the second. */
    int onlyBrokenBy(boolean[] first, boolean[] second) {
        int n = 0;
        for (int i = 0; i < correct.length; i++) {
            n += correct[i] && first[i] && !second[i] ? 1 : 0;
        }
        return n;
    }

    static int count(boolean[] broken, boolean[] correct) {
        int n = 0;
        for (int i = 0; i < broken.length; i++) {
            n += correct[i] && broken[i] ? 1 : 0;
        }
        return n;
    }
}
