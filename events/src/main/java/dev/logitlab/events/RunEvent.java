package dev.logitlab.events;

/**
 * The life of a run on {@code logitlab.runs} (key: runId). {@code kind} mirrors the CloudEvents type:
 * submitted, progress, completed or failed; fields that do not apply to a kind are null.
 */
public record RunEvent(
        int schemaVersion,
        String kind,
        String runId,
        String configHash,
        long seed,
        RunSpec spec,
        Progress progress,
        String lastCheckpointId,
        String reason) {

    public static final int SCHEMA_VERSION = 1;

    /** Where training is: epoch and batch (1-based), running loss and accuracy, speed, fraction of the run. */
    public record Progress(int epoch, int epochs, int batch, int batches, double loss, double accuracy,
                           double imagesPerSecond, double fraction) {
    }

    public static RunEvent submitted(String runId, String configHash, RunSpec spec) {
        return new RunEvent(SCHEMA_VERSION, "submitted", runId, configHash, spec.seed(), spec, null, null, null);
    }

    public static RunEvent progress(String runId, String configHash, long seed, Progress progress) {
        return new RunEvent(SCHEMA_VERSION, "progress", runId, configHash, seed, null, progress, null, null);
    }

    public static RunEvent completed(String runId, String configHash, long seed, String lastCheckpointId) {
        return new RunEvent(SCHEMA_VERSION, "completed", runId, configHash, seed, null, null, lastCheckpointId, null);
    }

    public static RunEvent failed(String runId, String configHash, long seed, String reason) {
        return new RunEvent(SCHEMA_VERSION, "failed", runId, configHash, seed, null, null, null, reason);
    }

    /** The CloudEvents type of this event. */
    public String type() {
        return "dev.logitlab.run." + kind + ".v1";
    }
}
