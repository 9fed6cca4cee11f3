package dev.logitlab.core.checkpoint;

import dev.logitlab.core.defense.Defense;
import dev.logitlab.core.model.ModelSpec;
import dev.logitlab.core.train.TrainingConfig;
import java.util.List;
import java.util.Map;

/** The content of {@code checkpoint.json} (schema {@value #SCHEMA}). */
public record CheckpointManifest(
        String schema,
        String runId,
        int epoch,
        ModelSpec model,
        String dataset,
        DefenseDescription defense,
        long seed,
        String configHash,
        TrainingConfig config,
        Metrics metrics,
        List<FileDigest> files) {

    public static final String SCHEMA = "logitlab.checkpoint/v1";

    /** The defense as written and as parsed into terms. */
    public record DefenseDescription(String spec, List<Term> terms) {

        public static DefenseDescription of(Defense defense) {
            return new DefenseDescription(defense.spec(),
                    defense.terms().stream().map(t -> new Term(t.name(), t.parameters())).toList());
        }

        /** One term: its name in the grammar and its parameters. */
        public record Term(String name, Map<String, Number> parameters) {
        }
    }

    /** Measured at the end of the epoch: accuracy on the clean test slice, mean training loss, speed. */
    public record Metrics(double cleanAccuracy, double trainLoss, double trainImagesPerSecond, double meanLogitNorm) {
    }

    /** A file of the checkpoint, relative to its directory, and its SHA-256. */
    public record FileDigest(String path, String sha256) {
    }

    public static CheckpointManifest of(String runId, int epoch, ModelSpec model, TrainingConfig config,
                                        Metrics metrics, List<FileDigest> files) {
        Defense defense = config.parsedDefense();
        return new CheckpointManifest(SCHEMA, runId, epoch, model, config.dataset(), DefenseDescription.of(defense),
                config.seed(), config.configHash(), config, metrics, files);
    }

    /** The parameter file, always listed first. */
    public FileDigest parameters() {
        return files.get(0);
    }

    /** A checkpoint id that is unique across runs: {@code <runId>/epoch-NNN}. */
    public String checkpointId() {
        return runId + "/" + Checkpoint.directoryName(epoch);
    }
}
