package dev.logitlab.events;

import java.util.List;

/**
 * A checkpoint is on the store ({@code logitlab.checkpoints}, key: runId). {@code uri} is relative to the
 * store root ({@code file:} scheme): a logitlab checkpoint directory or a TorchScript file, as {@code format} says;
 * consumers verify {@code sha256} (of the parameter file, or of the TorchScript file) before loading. The model is
 * judged on {@code split} of {@code dataset}.
 *
 * <p>Schema version 2 added {@code format} and {@code split}; a version 1 event is still read, as a logitlab
 * checkpoint judged on the test split (the compact constructor fills both in and reads it as version 2).
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
        Metrics metrics,
        String format,
        String split) {

    public static final int SCHEMA_VERSION = 2;
    /** A checkpoint directory written by logitlab's trainer ({@code checkpoint.json} and DJL parameters). */
    public static final String LOGITLAB = "logitlab";
    /** A TorchScript file: input N×C×H×W floats in [0, 1], output N×K logits, normalisation inside the model. */
    public static final String TORCHSCRIPT = "torchscript";
    public static final List<String> FORMATS = List.of(LOGITLAB, TORCHSCRIPT);
    public static final String TEST_SPLIT = "test";

    public CheckpointCreated {
        schemaVersion = SCHEMA_VERSION;
        format = format == null ? LOGITLAB : format;
        split = split == null ? TEST_SPLIT : split;
    }

    /** A logitlab checkpoint judged on the test split (what the trainer announces). */
    public CheckpointCreated(int schemaVersion, String runId, String checkpointId, int epoch, String uri, String sha256,
                             String configHash, long seed, String dataset, String model, String defense,
                             RunSpec.Evaluation evaluation, Metrics metrics) {
        this(schemaVersion, runId, checkpointId, epoch, uri, sha256, configHash, seed, dataset, model, defense,
                evaluation, metrics, LOGITLAB, TEST_SPLIT);
    }

    public boolean torchScript() {
        return TORCHSCRIPT.equals(format);
    }

    /** The checkpoint's own measurements (see checkpoint.json). */
    public record Metrics(double cleanAccuracy, double trainLoss, double trainImagesPerSecond, double meanLogitNorm) {
    }
}
