package dev.logitlab.events;

/**
 * The attack service's answer to a checkpoint ({@code logitlab.attack-results}, key: checkpointId):
 * {@code completed} with the results, or {@code failed} with the reason (a SHA-256 mismatch, a missing file,
 * …). {@code attackConfigHash} identifies the evaluation plan, so a redelivered event yields no second result.
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
        AttackResults results,
        String reason) {

    public static final int SCHEMA_VERSION = 1;

    public static AttackEvent completed(CheckpointCreated c, String attackConfigHash, AttackResults results) {
        return new AttackEvent(SCHEMA_VERSION, "completed", c.runId(), c.checkpointId(), c.epoch(), c.configHash(),
                c.seed(), attackConfigHash, results, null);
    }

    public static AttackEvent failed(CheckpointCreated c, String attackConfigHash, String reason) {
        return new AttackEvent(SCHEMA_VERSION, "failed", c.runId(), c.checkpointId(), c.epoch(), c.configHash(),
                c.seed(), attackConfigHash, null, reason);
    }

    public String type() {
        return "dev.logitlab.attack." + kind + ".v1";
    }
}
