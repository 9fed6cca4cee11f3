package dev.logitlab.events;

/**
 * What one shard of an evaluation found: {@code robust} has one character per example of the shard's range,
 * {@code 1} robust, {@code 0} broken by the shard's attack, {@code x} misclassified before any attack;
 * {@code seconds} is the attack's compute time on the shard.
 */
public record ShardOutcome(int shard, String robust, double seconds) {
}
