package dev.logitlab.cli.bench;

import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.RunSpec;

/** The models the benchmarks attack, trained here so every bench starts from the same one. */
final class ModelMaker {

    private ModelMaker() {
    }

    /** A one-epoch small-cnn on 5,000 Fashion-MNIST images, written into the stack's store. */
    static CheckpointCreated trainedCheckpoint(StackConfig config, RunSpec.Evaluation evaluation) {
        String runId = "bench-scaling";
        TrainingConfig training = new TrainingConfig("fashion-mnist", "small-cnn", "plain", 1, 5000, 1000, 128, 0.001,
                "adam", 0);
        Checkpoint c = new Training(training, runId, config.store().resolve("runs").resolve(runId), null)
                .run(Datasets.load("fashion-mnist", null)).lastCheckpoint();
        return new CheckpointCreated(CheckpointCreated.SCHEMA_VERSION, runId, c.manifest().checkpointId(), 1,
                "file:runs/" + runId + "/" + c.directory().getFileName(), c.manifest().parameters().sha256(),
                c.manifest().configHash(), 0, "fashion-mnist", "small-cnn", "plain",
                evaluation, null);
    }
}
