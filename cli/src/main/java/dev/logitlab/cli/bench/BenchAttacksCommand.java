package dev.logitlab.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.attack.Attack;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.attack.Pgd;
import dev.logitlab.core.attack.SquareAttack;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.model.Torch;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./lab bench attacks}: PGD-20 and Square-1000 on small-cnn over 500 Fashion-MNIST test images, against
 * PyTorch eager reference times on this kind of machine (PGD-20 ≈ 2.6 s, Square-1000 ≈ 14 s).
 */
@Command(name = "attacks", mixinStandardHelpOptions = true,
        description = "Time PGD-20 and Square-1000 on small-cnn over Fashion-MNIST test images.")
final class BenchAttacksCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions bench = new BenchOptions();

    @Option(names = "--model", description = "a checkpoint to attack (default: train small-cnn, 2 epochs on 10,000 images)")
    Path model;

    @Option(names = "--images", defaultValue = "500", description = "test images (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--eps", defaultValue = "0.1", description = "ℓ∞ budget (default: ${DEFAULT-VALUE})")
    double eps;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Torch.threads(bench.threads);
        TrainTestSplit data = Datasets.load("fashion-mnist", bench.dataDir);
        Path checkpoint = model != null ? model : trainReference(data, out);
        Dataset test = data.test().limit(images);
        try (Classifier target = Classifiers.open(checkpoint); NDManager manager = target.manager().newSubManager()) {
            NDArray x = test.images(manager, 0, test.size());
            out.printf("small-cnn, %d Fashion-MNIST test images, ε=%s, %d threads%n", test.size(), eps, bench.threads);
            out.printf("%-12s %9s %10s %16s %14s %8s%n", "attack", "seconds", "robust", "work", "per second",
                    "vs ref");
            run(out, "pgd-20", Pgd.crossEntropy(20), target, x, test, 2.6, "image-steps");
            run(out, "square-1000", new SquareAttack(Norm.LINF, 1000, SquareAttack.P_INIT), target, x, test, 14.0, "queries");
        }
        return 0;
    }

    private void run(PrintWriter out, String label, Attack attack, Classifier target, NDArray x, Dataset test,
                     double referenceSeconds, String unit) {
        attack.run(target, x.get("0:50"), java.util.Arrays.copyOf(test.labels(), 50), eps, 0); // warm-up
        MeteredClassifier counting = new MeteredClassifier(target); // not closed: the target is the caller's
        long start = System.nanoTime();
        boolean[] broken = attack.run(counting, x, test.labels(), eps, 1);
        double seconds = (System.nanoTime() - start) / 1e9;
        PeerLimits.Passes passes = counting.take();
        long work = unit.equals("queries") ? passes.forwardRows() : passes.gradientRows();
        out.printf("%-12s %9.2f %10.3f %,12d %s %,14.0f %7.2fx%n", label, seconds, Measures.robustAccuracy(broken),
                work, unit.equals("queries") ? "qry" : "stp", work / seconds, seconds / referenceSeconds);
        out.flush();
    }

    private static Path trainReference(TrainTestSplit data, PrintWriter out) throws Exception {
        Path dir = Files.createTempDirectory("logitlab-bench-model");
        out.println("training small-cnn (plain, 2 epochs on 10,000 images) to attack ...");
        out.flush();
        TrainingConfig config = new TrainingConfig("fashion-mnist", "small-cnn", "plain", 2, 10_000, 1000, 128, 1e-3,
                "adam", 0);
        return new Training(config, "bench", dir, null).run(data).lastCheckpoint().directory();
    }
}
