package dev.logitlab.events;

/**
 * A checkpoint being attacked: how many of its evaluation's shards the analysis service holds ({@code logitlab.reports},
 * key: checkpointId; CloudEvents type {@value Topics#REPORT_PROGRESS}). Published with each shard that arrives; the
 * report (or its failure) replaces it on the compacted topic, so the topic answers "where is this checkpoint?"
 * at every moment.
 */
public record ReportProgress(
        int schemaVersion,
        String runId,
        String checkpointId,
        int epoch,
        String configHash,
        long seed,
        String defense,
        Progress progress) {

    public static final int SCHEMA_VERSION = 1;

    /** Shards merged so far out of the evaluation's total. */
    public record Progress(int shardsDone, int shards) {
    }

    public static ReportProgress of(CheckpointCreated c, int shardsDone, int shards) {
        return new ReportProgress(SCHEMA_VERSION, c.runId(), c.checkpointId(), c.epoch(), c.configHash(), c.seed(),
                c.defense(), new Progress(shardsDone, shards));
    }
}
