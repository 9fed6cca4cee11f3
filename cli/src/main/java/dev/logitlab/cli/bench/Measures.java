package dev.logitlab.cli.bench;

import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.core.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benchmarks measure the same way everywhere: training throughput and robust accuracy. */
final class Measures {

    private Measures() {
    }

    /** The best training throughput (images a second) over the epochs after the first, which warms up. */
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

    /** Attacks count a misclassified example as broken at no cost, so not broken means robust. */
    static double robustAccuracy(boolean[] broken) {
        int robust = 0;
        for (boolean b : broken) {
            robust += b ? 0 : 1;
        }
        return (double) robust / broken.length;
    }
}
