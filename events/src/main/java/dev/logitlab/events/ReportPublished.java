package dev.logitlab.events;

/**
 * The analysis of one checkpoint ({@code logitlab.reports}, compacted, key: checkpointId): the evaluation
 * report of {@code ./lab evaluate} plus where it came from.
 */
public record ReportPublished(
        int schemaVersion,
        String runId,
        String checkpointId,
        int epoch,
        String configHash,
        long seed,
        String defense,
        EvaluationReport report,
        String format) {

    public static final int SCHEMA_VERSION = 1;

    /** {@code format}: the checkpoint's ({@link CheckpointCreated#format()}); absent in reports written before it. */
    public ReportPublished(int schemaVersion, String runId, String checkpointId, int epoch, String configHash, long seed,
                           String defense, EvaluationReport report) {
        this(schemaVersion, runId, checkpointId, epoch, configHash, seed, defense, report, null);
    }
}
