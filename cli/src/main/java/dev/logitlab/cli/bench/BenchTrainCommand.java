package dev.logitlab.cli.bench;

import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.model.Torch;
import dev.logitlab.core.train.StepTimes;
import dev.logitlab.core.train.TrainingConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./lab bench train}: training throughput of small-cnn, plain and LS+GN, against the PyTorch eager
 * reference figures measured on this kind of machine (PyTorch 1.13, batch 128, 2 threads).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Images/s of small-cnn training (plain and LS+GN), after one warm-up epoch.")
final class BenchTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private static final String[][] CASES = {{"plain", "3300"}, {"ls=0.5,gn=0.3", "2900"}};

    @Mixin
    BenchOptions bench = new BenchOptions();

    @Option(names = "--batch", defaultValue = "128", description = "batch size (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--images", defaultValue = "10000", description = "training images per epoch (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--epochs", defaultValue = "3", description = "timed epochs after the warm-up (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "data set (default: ${DEFAULT-VALUE})")
    String dataset;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        Torch.threads(bench.threads);
        TrainTestSplit data = Datasets.load(dataset, bench.dataDir);
        console.printf("small-cnn on %s, batch %d, %d threads, %,d images per epoch, best of %d epochs after a warm-up%n",
                dataset, batch, bench.threads, images, epochs);
        console.printf("%-16s %12s %18s %8s   %s%n", "defense", "img/s", "PyTorch eager ref", "ratio",
                "a step's time: forward+backward / optimizer / defense inputs / batch / rest");
        for (String[] c : CASES) {
            TrainingConfig config = new TrainingConfig(dataset, "small-cnn", c[0], epochs + 1, images, 100, batch,
                    1e-3, "adam", 0);
            Measures.Throughput best = Measures.bestThroughput(config, data);
            double reference = Double.parseDouble(c[1]);
            StepTimes t = best.steps();
            console.printf("%-16s %,12.0f %,18.0f %7.2fx   %.0f%% / %.0f%% / %.0f%% / %.0f%% / %.0f%%%n", c[0],
                    best.imagesPerSecond(), reference, best.imagesPerSecond() / reference,
                    100 * t.forwardBackward() / t.total(), 100 * t.optimizer() / t.total(), 100 * t.defense() / t.total(),
                    100 * t.batch() / t.total(), 100 * t.rest() / t.total());
        }
        return 0;
    }
}
