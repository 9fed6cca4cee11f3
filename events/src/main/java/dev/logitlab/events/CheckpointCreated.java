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

    /**
     * Why this announcement cannot be the checkpoint it names, or empty: a checkpoint's identity is its run, its epoch
     * and its bytes, so its id is {@code <runId>/epoch-NNN} ({@code /step-NNNNNN} for a TorchScript file) and its file
     * lies in its own run's folder ({@code runs/<runId>/}, {@code external/<runId>/}); an announcement can then speak
     * only for the run it is keyed by, and never point at another run's files.
     */
    public java.util.Optional<String> identityProblem() {
        String id = torchScript() ? String.format("%s/step-%06d", runId, epoch) : String.format("%s/epoch-%03d", runId, epoch);
        if (!id.equals(checkpointId)) {
            return java.util.Optional.of("checkpointId must be " + id + " (the run's id and the "
                    + (torchScript() ? "step" : "epoch") + ")");
        }
        String folder = "file:" + (torchScript() ? "external/" : "runs/") + runId + "/";
        if (uri == null || !uri.startsWith(folder) || uri.length() == folder.length()
                || java.util.Arrays.asList(uri.substring(5).split("/")).contains("..")) {
            return java.util.Optional.of("uri must lie in the run's own folder, " + folder + "…");
        }
        return java.util.Optional.empty();
    }

    /** The checkpoint's own measurements (see checkpoint.json). */
    public record Metrics(double cleanAccuracy, double trainLoss, double trainImagesPerSecond, double meanLogitNorm) {
    }
}
