package dev.logitlab.events;

/**
 * One shard of a checkpoint's evaluation ({@code logitlab.attack-tasks}, key: taskId, so the shards of one
 * checkpoint spread over the partitions and every attack replica takes its share): the plan's attack {@code attack}
 * at {@code eps} in {@code norm} (linf or l2) on test examples [{@code from}, {@code to}). The replica recomputes the shard from the plan and
 * refuses a task that disagrees with it.
 */
public record AttackTask(
        int schemaVersion,
        String taskId,
        String attackConfigHash,
        int shard,
        int shards,
        String attack,
        String norm,
        double eps,
        int from,
        int to,
        CheckpointCreated checkpoint) {

    public static final int SCHEMA_VERSION = 1;

    public AttackTask {
        norm = norm == null ? EvaluationReport.LINF : norm;
    }

    /** {@code <checkpointId>#<first 12 hex digits of the plan hash>/<shard>}. */
    public static String taskId(String checkpointId, String attackConfigHash, int shard) {
        return checkpointId + "#" + attackConfigHash.substring(0, 12) + "/" + shard;
    }
}
