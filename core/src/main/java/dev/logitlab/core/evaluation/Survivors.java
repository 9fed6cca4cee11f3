package dev.logitlab.core.evaluation;

import dev.logitlab.core.attack.Budget;
import dev.logitlab.core.evaluation.ShardPlan.Shard;
import dev.logitlab.events.ShardOutcome;
import java.util.Arrays;
import java.util.Map;

/**
 * The examples every gradient attack at a budget left robust: all that a gradient-free attack there can still add to
 * the worst case (AutoAttack runs its suite the same way). A gradient-free shard ({@link ShardPlan#afterGradients})
 * attacks only these, so it waits for the budget's gradient shards; what it did not attack counts as broken in its
 * outcome, which makes the attack's reported accuracy the suite's after it, as in a cascade.
 */
public final class Survivors {

    private Survivors() {
    }

    /**
     * One character per example of the shard's range: '1' where every gradient attack at its budget left the example
     * robust, else '0'; null while one of those shards' outcomes is missing.
     */
    public static String of(ShardPlan plan, Shard shard, Map<Integer, ShardOutcome> outcomes) {
        boolean[] robust = robust(plan, shard.budget(), outcomes);
        if (robust == null) {
            return null;
        }
        StringBuilder mask = new StringBuilder(shard.to() - shard.from());
        for (int i = shard.from(); i < shard.to(); i++) {
            mask.append(robust[i] ? '1' : '0');
        }
        return mask.toString();
    }

    /** How many examples every gradient attack at the budget left robust; -1 while an outcome is missing. */
    public static int count(ShardPlan plan, Budget budget, Map<Integer, ShardOutcome> outcomes) {
        boolean[] robust = robust(plan, budget, outcomes);
        if (robust == null) {
            return -1;
        }
        int count = 0;
        for (boolean r : robust) {
            count += r ? 1 : 0;
        }
        return count;
    }

    private static boolean[] robust(ShardPlan plan, Budget budget, Map<Integer, ShardOutcome> outcomes) {
        boolean[] robust = new boolean[plan.examples()];
        Arrays.fill(robust, true);
        for (Shard s : plan.gradientShards(budget)) {
            ShardOutcome outcome = outcomes.get(s.index());
            if (outcome == null) {
                return null;
            }
            for (int k = 0; k < outcome.robust().length(); k++) {
                robust[s.from() + k] &= outcome.robust().charAt(k) == '1';
            }
        }
        return robust;
    }

    /** Checks a mask from a task against the shard it is for. */
    public static void check(String mask, Shard shard) {
        if (mask.length() != shard.to() - shard.from() || !mask.chars().allMatch(c -> c == '0' || c == '1')) {
            throw new IllegalArgumentException("the examples to attack must be one 0 or 1 per example of the shard ("
                    + (shard.to() - shard.from()) + "), not " + mask.length() + " characters");
        }
    }
}
