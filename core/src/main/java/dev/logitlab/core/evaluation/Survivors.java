package dev.logitlab.core.evaluation;

import dev.logitlab.core.attack.Budget;
import dev.logitlab.core.evaluation.ShardPlan.Shard;
import dev.logitlab.events.ShardOutcome;
import java.util.Arrays;
import java.util.Map;

/**
 * The examples every attack of the earlier waves at a budget left robust ({@link ShardPlan#wave}): all that a later
 * attack there can still add to the worst case (AutoAttack runs its suite the same way). A later shard
 * ({@link ShardPlan#survivorsOnly}) attacks only these, so it waits for the earlier shards; what it did not attack
 * counts as broken in its outcome, which makes the attack's reported accuracy the suite's after it, as in a cascade.
 */
public final class Survivors {

    private Survivors() {
    }

    /**
     * One character per example of the shard's range: '1' where every earlier attack at its budget left the example
     * robust, else '0'; null while one of those shards' outcomes is missing.
     */
    public static String of(ShardPlan plan, Shard shard, Map<Integer, ShardOutcome> outcomes) {
        boolean[] robust = robust(plan, shard, outcomes);
        if (robust == null) {
            return null;
        }
        StringBuilder mask = new StringBuilder(shard.to() - shard.from());
        for (int i = shard.from(); i < shard.to(); i++) {
            mask.append(robust[i] ? '1' : '0');
        }
        return mask.toString();
    }

    /** How many examples every attack before the shard's wave at its budget left robust; -1 while one is missing. */
    public static int count(ShardPlan plan, Shard shard, Map<Integer, ShardOutcome> outcomes) {
        boolean[] robust = robust(plan, shard, outcomes);
        if (robust == null) {
            return -1;
        }
        int count = 0;
        for (boolean r : robust) {
            count += r ? 1 : 0;
        }
        return count;
    }

    private static boolean[] robust(ShardPlan plan, Shard shard, Map<Integer, ShardOutcome> outcomes) {
        boolean[] robust = new boolean[plan.examples()];
        Arrays.fill(robust, true);
        for (Shard s : plan.earlier(shard)) {
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
