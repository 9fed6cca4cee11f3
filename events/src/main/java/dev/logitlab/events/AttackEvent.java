package dev.logitlab.events;

/**
 * The attack service's answer to one shard of a checkpoint's evaluation ({@code logitlab.attack-results}, key:
 * checkpointId, so every shard of a checkpoint reaches the same analysis partition): {@code completed} with the
 * shard's outcome, or {@code failed} with the reason; {@code shard} is -1 when the whole checkpoint was refused
 * (a SHA-256 mismatch, a missing file). Each event carries the checkpoint announcement, so the analysis needs
 * nothing else to build the report. {@code attackConfigHash} identifies the evaluation plan.
 */
public record AttackEvent(
        int schemaVersion,
        String kind,
        String runId,
        String checkpointId,
        int epoch,
        String configHash,
        long seed,
        String attackConfigHash,
        int shard,
        int shards,
        CheckpointCreated checkpoint,
        ShardOutcome outcome,
        String reason) {

    public static final int SCHEMA_VERSION = 2;

    public static AttackEvent completed(AttackTask task, ShardOutcome outcome) {
        CheckpointCreated c = task.checkpoint();
        return new AttackEvent(SCHEMA_VERSION, "completed", c.runId(), c.checkpointId(), c.epoch(), c.configHash(),
                c.seed(), task.attackConfigHash(), task.shard(), task.shards(), c, outcome, null);
    }

    /** A shard that cannot be attacked (its task's checkpoint no longer verifies, its data cannot be read). */
    public static AttackEvent failed(AttackTask task, String reason) {
        CheckpointCreated c = task.checkpoint();
        return new AttackEvent(SCHEMA_VERSION, "failed", c.runId(), c.checkpointId(), c.epoch(), c.configHash(),
                c.seed(), task.attackConfigHash(), task.shard(), task.shards(), c, null, reason);
    }

    /** A checkpoint refused before it was split into shards. */
    public static AttackEvent refused(CheckpointCreated c, String attackConfigHash, String reason) {
        return new AttackEvent(SCHEMA_VERSION, "failed", c.runId(), c.checkpointId(), c.epoch(), c.configHash(),
                c.seed(), attackConfigHash, -1, 0, c, null, reason);
    }

    public String type() {
        return "dev.logitlab.attack." + kind + ".v2";
    }
}
