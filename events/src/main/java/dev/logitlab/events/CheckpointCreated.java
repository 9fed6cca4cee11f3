package dev.logitlab.events;

/**
 * A checkpoint is on the store ({@code logitlab.checkpoints}, key: runId). {@code uri} is relative to the
 * store root ({@code file:} scheme); consumers verify {@code sha256} of the parameter file before loading.
 */
public record CheckpointCreated(
        int schemaVersion,
        String runId,
        String checkpointId,
        int epoch,
        String uri,
        String sha256,
        String configHash,
        long seed,
        String dataset,
        String model,
        String defense,
        RunSpec.Evaluation evaluation,
        Metrics metrics) {

    public static final int SCHEMA_VERSION = 1;

    /** The checkpoint's own measurements (see checkpoint.json). */
    public record Metrics(double cleanAccuracy, double trainLoss, double trainImagesPerSecond, double meanLogitNorm) {
    }
}
