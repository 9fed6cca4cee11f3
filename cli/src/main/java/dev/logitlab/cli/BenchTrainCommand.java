package dev.logitlab.cli;

import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.model.Torch;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.core.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

    @Option(names = "--threads", defaultValue = "2", description = "libtorch threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--batch", defaultValue = "128", description = "batch size (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--images", defaultValue = "10000", description = "training images per epoch (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--epochs", defaultValue = "3", description = "timed epochs after the warm-up (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "data set (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--data-dir", description = "where to look for data sets first")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        Torch.threads(threads);
        TrainTestSplit data = Datasets.load(dataset, dataDir);
        console.printf("small-cnn on %s, batch %d, %d threads, %,d images per epoch, best of %d epochs after a warm-up%n",
                dataset, batch, threads, images, epochs);
        console.printf("%-16s %12s %18s %8s%n", "defense", "img/s", "PyTorch eager ref", "ratio");
        for (String[] c : CASES) {
            TrainingConfig config = new TrainingConfig(dataset, "small-cnn", c[0], epochs + 1, images, 100, batch,
                    1e-3, "adam", 0);
            double best = bestImagesPerSecond(config, data);
            double reference = Double.parseDouble(c[1]);
            console.printf("%-16s %,12.0f %,18.0f %7.2fx%n", c[0], best, reference, best / reference);
        }
        return 0;
    }

    static double bestImagesPerSecond(TrainingConfig config, TrainTestSplit data) throws Exception {
        Path dir = Files.createTempDirectory("logitlab-bench");
        double[] best = {0};
        try {
            new Training(config, "bench", dir, new TrainingListener() {
                @Override
                public void onCheckpoint(dev.logitlab.core.checkpoint.Checkpoint checkpoint) {
                    if (checkpoint.manifest().epoch() > 1) {
                        best[0] = Math.max(best[0], checkpoint.manifest().metrics().trainImagesPerSecond());
                    }
                }
            }).run(data);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return best[0];
    }
}
