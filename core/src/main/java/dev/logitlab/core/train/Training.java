package dev.logitlab.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.checkpoint.CheckpointManifest;
import dev.logitlab.core.data.EpochOrder;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.defense.Defense;
import dev.logitlab.core.model.ModelSpec;
import dev.logitlab.core.model.Network;
import dev.logitlab.core.model.Torch;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Trains one run: per epoch a seeded shuffle, mini-batches through the defense's objective, then a
 * checkpoint with clean test metrics. Every random draw depends only on (seed, epoch), and the optimiser
 * state is checkpointed, so a resumed run writes the same bytes as one that was never interrupted.
 */
public final class Training {

    private final TrainingConfig config;
    private final String runId;
    private final Path runDir;
    private final TrainingListener listener;

    public Training(TrainingConfig config, String runId, Path runDir, TrainingListener listener) {
        this.config = config;
        this.runId = runId == null ? config.defaultRunId() : runId;
        this.runDir = runDir;
        this.listener = listener == null ? TrainingListener.NONE : listener;
    }

    /** The outcome: the last checkpoint written (or found, when the run was already complete). */
    public record Result(Checkpoint lastCheckpoint, int epochsTrained, boolean cancelled) {
    }

    public Result run(TrainTestSplit data) {
        TrainTestSplit slice = data.limit(config.trainLimit(), config.testLimit());
        Defense defense = config.parsedDefense();
        ModelSpec spec = ModelSpec.of(config.model(), slice.train());
        Optional<Checkpoint> resumeFrom = Checkpoint.latest(runDir);
        resumeFrom.ifPresent(this::checkSameRun);
        int firstEpoch = resumeFrom.map(c -> c.manifest().epoch() + 1).orElse(1);
        if (firstEpoch > config.epochs()) {
            return new Result(resumeFrom.get(), 0, false);
        }
        try (Network network = Network.create(spec, config.seed())) {
            Optimizer optimizer = Optimizer.of(config.optimizer(), config.learningRate());
            resumeFrom.ifPresent(c -> {
                c.loadParametersInto(network);
                c.readOptimizerState(in -> optimizer.load(in, network.manager()));
            });
            Checkpoint last = resumeFrom.orElse(null);
            for (int epoch = firstEpoch; epoch <= config.epochs(); epoch++) {
                EpochResult result = trainEpoch(network, optimizer, defense, slice.train(), epoch);
                if (result == null) {
                    return new Result(last, epoch - firstEpoch, true);
                }
                CleanMetrics clean = CleanMetrics.measure(network, slice.test());
                CheckpointManifest.Metrics metrics = new CheckpointManifest.Metrics(
                        clean.accuracy(), result.meanLoss(), result.imagesPerSecond(), clean.meanLogitNorm());
                int done = epoch;
                last = Checkpoint.write(runDir, epoch, network, optimizer::save,
                        files -> CheckpointManifest.of(runId, done, spec, config, metrics, files));
                listener.onCheckpoint(last);
            }
            return new Result(last, config.epochs() - firstEpoch + 1, false);
        }
    }

    private record EpochResult(double meanLoss, double imagesPerSecond) {
    }

    /** One pass over the shuffled training slice; null when cancelled. */
    private EpochResult trainEpoch(Network network, Optimizer optimizer, Defense defense, Dataset train, int epoch) {
        long epochSeed = epochSeed(config.seed() + SHAKE, epoch);
        Torch.seed(epochSeed);
        Dataset shuffled = train.select(EpochOrder.shuffled(train.size(), epochSeed));
        int batch = config.batchSize();
        int batches = (shuffled.size() + batch - 1) / batch;
        float[] buffer = new float[batch * shuffled.imageSize()];
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        long start = System.nanoTime();
        long[] phase = new long[4]; // batch, defense, forward and backward, optimizer
        var parameters = network.trainableParameters();
        for (int b = 0; b < batches; b++) {
            if (listener.cancelled()) {
                return null;
            }
            int from = b * batch;
            int to = Math.min(shuffled.size(), from + batch);
            try (NDManager step = network.manager().newSubManager()) {
                long t0 = System.nanoTime();
                NDArray images = shuffled.images(step, from, to, buffer);
                NDArray labels = step.create(Arrays.copyOfRange(shuffled.labels(), from, to)).toType(
                        ai.djl.ndarray.types.DataType.INT64, false);
                NDArray oneHot = labels.oneHot(shuffled.classes()).toType(images.getDataType(), false);
                long t1 = System.nanoTime();
                Defense.TrainingBatch batchToTrain = defense.trainingBatch(network, images, oneHot);
                long t2 = System.nanoTime();
                NDArray logits;
                Torch.AUTOGRAD.lock();
                try (GradientCollector collector = Torch.engine().newGradientCollector()) {
                    logits = network.forward(batchToTrain.inputs(), true);
                    NDArray loss = defense.loss(logits, defense.targets(batchToTrain.oneHot(), logits));
                    collector.backward(loss);
                    lossSum += loss.getFloat() * (to - from);
                } finally {
                    Torch.AUTOGRAD.unlock();
                }
                long t3 = System.nanoTime();
                optimizer.step(parameters);
                phase[0] += t1 - t0;
                phase[1] += t2 - t1;
                phase[2] += t3 - t2;
                phase[3] += System.nanoTime() - t3;
                correct += logits.get("0:" + batchToTrain.clean()).argMax(1).eq(labels).sum().getLong();
            }
            seen += to - from;
            double seconds = (System.nanoTime() - start) / 1e9;
            listener.onProgress(new TrainingProgress(runId, epoch, config.epochs(), b + 1, batches,
                    lossSum / seen, (double) correct / seen, seen / seconds));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        listener.onStepTimes(new StepTimes(epoch, (int) seen, phase[0] / 1e9, phase[1] / 1e9, phase[2] / 1e9,
                phase[3] / 1e9, seconds));
        return new EpochResult(lossSum / seen, seen / seconds);
    }

    /**
     * {@code LOGITLAB_SHAKE} (an integer, unset: 0) shifts every epoch's seed: the data order and the noise drawn while
     * training. {@code ./lab test --shake} sets it, to show that no test depends on one order of the data; a user never
     * needs it, and the seed recorded with a checkpoint is the run's own.
     */
    static final long SHAKE = shake(System.getenv("LOGITLAB_SHAKE"));

    static long shake(String value) {
        return value != null && value.matches("-?[0-9]{1,9}") ? Long.parseLong(value) * 1_000_003L : 0;
    }

    /** A per-epoch seed, so that resuming at epoch e draws exactly what an uninterrupted run draws. */
    static long epochSeed(long seed, int epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private void checkSameRun(Checkpoint existing) {
        String hash = config.configHash();
        if (!hash.equals(existing.manifest().configHash())) {
            throw new IllegalStateException(runDir + " already holds a different run (" + existing.manifest().runId()
                    + ", config hash " + existing.manifest().configHash().substring(0, 12) + "; this run's is "
                    + hash.substring(0, 12) + "): choose another output directory");
        }
    }
}
