package dev.logitlab.events;

/**
 * A checkpoint that gets no report, and why ({@code logitlab.reports}, key: checkpointId; CloudEvents type
 * {@value Topics#REPORT_FAILED}): the attack service refused it, a shard failed for good, or the analysis could
 * not load it. A later report for the same checkpoint supersedes it on the compacted topic.
 */
public record ReportFailed(
        int schemaVersion,
        String runId,
        String checkpointId,
        int epoch,
        String configHash,
        long seed,
        String defense,
        String reason) {

    public static final int SCHEMA_VERSION = 1;

    public static ReportFailed of(CheckpointCreated c, String reason) {
        return new ReportFailed(SCHEMA_VERSION, c.runId(), c.checkpointId(), c.epoch(), c.configHash(), c.seed(),
                c.defense(), reason);
    }
}
