package dev.logitlab.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.events.AttackTask;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Shards go round-robin over the partitions, so any half of the partitions holds about half of every attack. */
class ShardPartitionerTest {

    @Test
    void consecutiveShardsLandOnConsecutivePartitionsAndEveryPartitionGetsItsShare() {
        ShardPartitioner partitioner = new ShardPartitioner();
        String hash = "c".repeat(64);
        Map<Integer, Integer> perPartition = new HashMap<>();
        int previous = -1;
        for (int shard = 0; shard < 25; shard++) {
            int p = partitioner.partitions("t", AttackTask.taskId("run-1/epoch-002", hash, shard), null, 12)
                    .orElseThrow().iterator().next();
            if (previous >= 0) {
                assertEquals((previous + 1) % 12, p);
            }
            previous = p;
            perPartition.merge(p, 1, Integer::sum);
        }
        assertEquals(12, perPartition.size());
        assertTrue(perPartition.values().stream().allMatch(n -> n == 2 || n == 3), perPartition.toString());
    }
}
