package dev.logitlab.attack;

import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Spreads an evaluation's shards round-robin over the work topic's partitions (shard i of an evaluation to
 * partition (offset + i) mod n, the offset derived from the evaluation): the shards of each attack are consecutive,
 * so every replica gets its share of each attack, the expensive ones included, whichever partitions it owns.
 * Hashing task ids instead left one replica with most of the Square shards.
 */
final class ShardPartitioner implements StreamPartitioner<String, String> {

    @Override
    public Optional<Set<Integer>> partitions(String topic, String taskId, String value, int partitions) {
        int slash = taskId.lastIndexOf('/');
        int shard = Integer.parseInt(taskId.substring(slash + 1));
        int offset = Math.floorMod(taskId.substring(0, slash).hashCode(), partitions);
        return Optional.of(Set.of((offset + shard) % partitions));
    }
}
