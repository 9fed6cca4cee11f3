package dev.logitlab.cli;

import dev.logitlab.core.checkpoint.CheckpointManifest;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.model.Torch;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./lab train}: trains one run, a checkpoint per epoch; re-running resumes an interrupted run. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a classifier with a defense; writes <out>/epoch-NNN/ after every epoch and resumes "
                + "from the last one when run again.")
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    TrainOptions options;

    @Option(names = "--out", required = true, description = "run directory for the checkpoints")
    Path out;

    @Option(names = "--run-id", description = "run id (default: <model>-<defense>-s<seed>-<config hash>)")
    String runId;

    @Override
    public Integer call() {
        PrintWriter console = spec.commandLine().getOut();
        TrainingConfig config = options.config();
        Torch.threads(options.runtime.threads);
        var data = Datasets.load(config.dataset(), options.runtime.dataDir);
        ProgressBars progress = new ProgressBars(config.defense(), console);
        Training.Result result = new Training(config, runId, out, progress).run(data);
        progress.close();
        if (result.epochsTrained() == 0) {
            console.println("already complete: " + out + " holds all " + config.epochs() + " epochs");
        }
        CheckpointManifest last = result.lastCheckpoint().manifest();
        console.printf("%nrun %s (%s on %s, defense %s, seed %d)%n", last.runId(), last.model().architecture(),
                last.dataset(), last.defense().spec(), last.seed());
        console.printf("clean accuracy %.4f after epoch %d, mean logit norm %.2f, %,.0f img/s%n",
                last.metrics().cleanAccuracy(), last.epoch(), last.metrics().meanLogitNorm(),
                last.metrics().trainImagesPerSecond());
        console.println("last checkpoint: " + result.lastCheckpoint().directory().toAbsolutePath());
        return 0;
    }
}
