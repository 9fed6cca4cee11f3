package dev.logitlab.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One shard of a checkpoint's evaluation ({@code logitlab.attack-tasks}, key: taskId, so the shards of one
 * checkpoint spread over the partitions and every attack replica takes its share): the plan's attack {@code attack}
 * at {@code eps} in {@code norm} (linf or l2) on test examples [{@code from}, {@code to}). The replica recomputes the shard from the plan and
 * refuses a task that disagrees with it. {@code attacked}, one 0 or 1 per example of the range, limits a
 * gradient-free shard to the examples every gradient attack at its budget left robust ('1'); null attacks them all.
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
        CheckpointCreated checkpoint,
        @JsonInclude(JsonInclude.Include.NON_NULL) String attacked) {

    public static final int SCHEMA_VERSION = 1;

    public AttackTask {
        norm = norm == null ? EvaluationReport.LINF : norm;
    }

    /** {@code <checkpointId>#<first 12 hex digits of the plan hash>/<shard>}. */
    public static String taskId(String checkpointId, String attackConfigHash, int shard) {
        return checkpointId + "#" + attackConfigHash.substring(0, 12) + "/" + shard;
    }
}
