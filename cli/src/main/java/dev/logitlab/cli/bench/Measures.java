package dev.logitlab.cli.bench;

import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.train.StepTimes;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.core.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benchmarks measure the same way everywhere: training throughput and robust accuracy. */
final class Measures {

    private Measures() {
    }

    /** The best epoch's training throughput (images a second) and where its steps spent their time. */
    record Throughput(double imagesPerSecond, StepTimes steps) {
    }

    /**
     * The best training throughput over the epochs after the first (which warms up), with that epoch's step times.
     */
    static Throughput bestThroughput(TrainingConfig config, TrainTestSplit data) throws Exception {
        Path dir = Files.createTempDirectory("logitlab-bench");
        Throughput[] best = {new Throughput(0, null)};
        StepTimes[] last = {null};
        try {
            new Training(config, "bench", dir, new TrainingListener() {
                @Override
                public void onStepTimes(StepTimes times) {
                    last[0] = times;
                }

                @Override
                public void onCheckpoint(dev.logitlab.core.checkpoint.Checkpoint checkpoint) {
                    double rate = checkpoint.manifest().metrics().trainImagesPerSecond();
                    if (checkpoint.manifest().epoch() > 1 && rate > best[0].imagesPerSecond()) {
                        best[0] = new Throughput(rate, last[0]);
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
