package dev.logitlab.cli;

import dev.logitlab.core.checkpoint.CheckpointManifest;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.model.Torch;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./lab train}: trains one run, a checkpoint per epoch; re-running resumes an interrupted run. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a classifier with a defense; writes <out>/epoch-NNN/ after every epoch and resumes "
                + "from the last one when run again.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    TrainOptions options;

    @Option(names = "--out", required = true, description = "run directory for the checkpoints")
    Path out;

    @Option(names = "--run-id", description = "run id (default: <model>-<defense>-s<seed>-<config hash>)")
    String runId;

    @Override
    public Integer call() {
        TrainingConfig config = options.config();
        Torch.threads(options.threads);
        var data = Datasets.load(config.dataset(), options.dataDir);
        ProgressBars progress = new ProgressBars(config.defense(), System.out);
        Training.Result result = new Training(config, runId, out, progress).run(data);
        progress.close();
        if (result.epochsTrained() == 0) {
            System.out.println("already complete: " + out + " holds all " + config.epochs() + " epochs");
        }
        CheckpointManifest last = result.lastCheckpoint().manifest();
        System.out.printf("%nrun %s (%s on %s, defense %s, seed %d)%n", last.runId(), last.model().architecture(),
                last.dataset(), last.defense().spec(), last.seed());
        System.out.printf("clean accuracy %.4f after epoch %d, mean logit norm %.2f, %,.0f img/s%n",
                last.metrics().cleanAccuracy(), last.epoch(), last.metrics().meanLogitNorm(),
                last.metrics().trainImagesPerSecond());
        System.out.println("last checkpoint: " + result.lastCheckpoint().directory().toAbsolutePath());
        return 0;
    }
}
