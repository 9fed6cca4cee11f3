package dev.logitlab.events;

import java.util.List;

/**
 * What one shard of an evaluation found: {@code robust} has one character per example of the shard's range,
 * {@code 1} robust, {@code 0} broken by the shard's attack, {@code x} misclassified before any attack;
 * {@code seconds} is the attack's compute time on the shard. A cascade shard (AutoAttack's order: each attack only
 * on what the earlier ones left robust) also lists its {@code cascade} stages, one per attack, in order; null
 * otherwise. The unconstrained run's shard also lists, per budget of the plan in its order, the outcome of its points
 * projected into that budget ({@code clipped}, same alphabet as {@code robust}); null otherwise and in outcomes
 * written before it. {@code passes}: what the shard cost in the network, its clean pass included (null in outcomes
 * written before passes were counted).
 */
public record ShardOutcome(int shard, String robust, double seconds, List<Stage> cascade, List<String> clipped,
                           Passes passes) {

    public ShardOutcome(int shard, String robust, double seconds) {
        this(shard, robust, seconds, null, null, null);
    }

    public ShardOutcome {
        cascade = cascade == null ? null : List.copyOf(cascade);
        clipped = clipped == null ? null : List.copyOf(clipped);
    }

    /**
     * One attack of a cascade: {@code 1} it left the example robust, {@code 0} it broke it, {@code -} an earlier
     * attack had broken it, so this one did not run on it, {@code x} misclassified before any attack; {@code passes}
     * what the attack cost (null before they were counted).
     */
    public record Stage(String robust, double seconds, Passes passes) {
    }
}
