package dev.logitlab.core.analysis;

import java.util.List;
import java.util.NavigableMap;

/**
 * Everything the indicators of attack failure look at, gathered by one evaluation.
 *
 * @param correct           per example, classified correctly before any attack
 * @param outcomes          every attack at every ε, per example
 * @param sweep             PGD robust accuracy at increasing ε
 * @param unboundedEps      the "unbounded" budget (the whole image range)
 * @param unboundedRobustAccuracy PGD robust accuracy at that budget
 * @param zeroGradients     correctly classified examples whose DLR-loss gradient is exactly zero everywhere
 * @param probabilityRows   fraction of output rows that are in [0, 1] and sum to 1
 * @param outputVariation   largest change between two forward passes of the same image, relative to that
 *                          image's logit range (max z − min z)
 * @param incomplete        the incomplete-optimization probe at {@code incompleteEps}, null when no example was left
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
        double incompleteEps) {

    /** One attack at one ε: which examples it broke. */
    public record Outcome(String attack, double eps, boolean usesGradients, boolean[] broken) {
    }

    public int examples() {
        return correct.length;
    }

    /** Examples an attack may miss before a check fails: 1% of the evaluation, at least one. */
    int slack() {
        return Math.max(1, (int) Math.ceil(0.01 * examples()));
    }

    List<Double> epsilons() {
        return outcomes.stream().map(Outcome::eps).distinct().sorted().toList();
    }

    Outcome find(String attack, double eps) {
        return outcomes.stream().filter(o -> o.attack().equals(attack) && o.eps() == eps).findFirst().orElse(null);
    }

    /** Per example: broken by some attack at this ε that matches the filter. */
    boolean[] brokenByAny(double eps, java.util.function.Predicate<Outcome> filter) {
        boolean[] any = new boolean[examples()];
        boolean found = false;
        for (Outcome o : outcomes) {
            if (o.eps() == eps && filter.test(o)) {
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
