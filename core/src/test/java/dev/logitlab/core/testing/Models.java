package dev.logitlab.core.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.NetworkClassifier;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/** Models for attack and masking tests: an honestly trained small CNN, and wrappers built to mask gradients. */
public final class Models {

    private static final Map<TrainingConfig, Path> TRAINED = new HashMap<>();

    private Models() {
    }

    public static TrainTestSplit fashion() {
        return Datasets.load("fashion-mnist", null);
    }

    /** small-cnn trained plainly for one epoch on 6,000 Fashion-MNIST images (about 85% clean accuracy). */
    public static Classifier plainSmallCnn() {
        return dev.logitlab.core.model.Classifiers.open(trained(new TrainingConfig("fashion-mnist", "small-cnn", "plain",
                1, 6000, 200, 64, 1e-3, "adam", 0), "plain"));
    }

    /** The linear model trained plainly for one epoch on 500 examples of the synthetic set: its checkpoint. */
    public static Path syntheticLinear() {
        return trained(new TrainingConfig("synthetic", "linear", "plain", 1, 500, 200, 50, 0.01, "adam", 1), "linear");
    }

    /** The last checkpoint of run {@code runId} of {@code config}, trained once per test JVM. */
    private static synchronized Path trained(TrainingConfig config, String runId) {
        Path checkpoint = TRAINED.get(config);
        if (checkpoint == null) {
            try {
                Path dir = Files.createTempDirectory("logitlab-" + runId);
                checkpoint = new Training(config, runId, dir, null).run(Datasets.load(config.dataset(), null))
                        .lastCheckpoint().directory();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            TRAINED.put(config, checkpoint);
        }
        return checkpoint;
    }

    /** A two-class linear model on 1×4×4 inputs whose closed forms the numeric tests derive by hand. */
    public static final float[] LINEAR_W0 = {0.5f, -0.25f, 1, 0, 0.75f, -0.5f, 0.25f, 0, 1, -1, 0.5f, 0.25f, 0, 0.5f, -0.75f, 0.25f};
    public static final float[] LINEAR_W1 = {-0.5f, 0.25f, 0, 0.5f, 0.25f, 0.5f, -0.25f, 0.5f, 0, -0.5f, 1, -0.25f, 0.5f, 0, -0.25f, 0};
    public static final float LINEAR_B0 = 0.3f;
    public static final float LINEAR_B1 = -0.2f;

    /** The linear classifier z = Wx + b on 1×h×w images, W given row by row (one row per class). */
    public static NetworkClassifier linear(float[][] weights, float[] bias, int h, int w) {
        dev.logitlab.core.model.Network network = dev.logitlab.core.model.Network.create(
                new dev.logitlab.core.model.ModelSpec("linear", 1, h, w, weights.length), 0);
        float[] flat = new float[weights.length * h * w];
        for (int k = 0; k < weights.length; k++) {
            System.arraycopy(weights[k], 0, flat, k * h * w, h * w);
        }
        var parameters = network.trainableParameters();
        parameters.get(0).getArray().set(flat);
        parameters.get(1).getArray().set(bias);
        return new NetworkClassifier(network, "linear");
    }

    /** The first n test images as one array owned by {@code manager}. */
    public static NDArray images(NDManager manager, Dataset data, int n) {
        float[] buffer = new float[n * data.imageSize()];
        data.copyImages(0, n, buffer);
        return manager.create(buffer, new Shape(n, data.channels(), data.height(), data.width()));
    }

    public static int[] labels(Dataset data, int n) {
        return java.util.Arrays.copyOf(data.labels(), n);
    }

    /** A classifier that transforms another's inputs or outputs, as gradient-masking defenses do. */
    public static Classifier wrap(Classifier inner, String name, BiFunction<Classifier, NDArray, NDArray> logits) {
        return new Classifier() {
            @Override
            public String description() {
                return name;
            }

            @Override
            public NDManager manager() {
                return inner.manager();
            }

            @Override
            public NDArray logits(NDArray images) {
                return logits.apply(inner, images);
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    /** Quantises inputs to {@code levels} grey levels: round() has a zero gradient almost everywhere. */
    public static Classifier quantized(Classifier inner, int levels) {
        return wrap(inner, "quantized", (m, x) -> m.logits(x.mul(levels).round().div(levels)));
    }

    /** Multiplies the logits by a large factor: the softmax saturates and cross-entropy gradients vanish. */
    public static Classifier scaled(Classifier inner, float factor) {
        return wrap(inner, "scaled", (m, x) -> m.logits(x).mul(factor));
    }

    /** Returns softmax probabilities instead of logits. */
    public static Classifier softmaxOutputs(Classifier inner) {
        return wrap(inner, "softmax", (m, x) -> m.logits(x).softmax(1));
    }

    /** Adds fresh Gaussian noise to the logits at every call. */
    public static Classifier randomized(Classifier inner, float sigma) {
        return wrap(inner, "randomized", (m, x) -> {
            NDArray z = m.logits(x);
            return z.add(z.getManager().randomNormal(0, sigma, z.getShape(), z.getDataType()));
        });
    }

    /**
     * Behaves on clean images (which lie on the 1/255 grid) but multiplies the logits by 1,000 anywhere off
     * that grid: FGSM's gradient, taken at the clean image, is informative; PGD's random start lands off the
     * grid where cross-entropy is saturated, so iterative CE attacks stall.
     */
    public static Classifier saturatedOffTheDataGrid(Classifier inner) {
        return wrap(inner, "off-grid-saturated", (m, x) -> {
            NDArray z = m.logits(x);
            NDArray scaled = x.stopGradient().mul(255);
            NDArray offGrid = scaled.sub(scaled.round()).abs().reshape(x.getShape().get(0), -1)
                    .max(new int[] {1}).gt(1e-3f).toType(z.getDataType(), false).reshape(-1, 1);
            return z.mul(offGrid.mul(999).add(1));
        });
    }

    /**
     * Saturates its softmax (logits × 1,000) once more than {@code brightPixels} pixels sit at the top of the
     * range: small perturbations rarely get there, large ones do, so PGD stalls only at large ε and robust
     * accuracy rises with ε.
     */
    public static Classifier saturatedWhenManyPixelsClip(Classifier inner, int brightPixels) {
        return wrap(inner, "clip-triggered", (m, x) -> {
            NDArray z = m.logits(x);
            NDArray bright = x.stopGradient().gte(0.999f).toType(z.getDataType(), false)
                    .reshape(x.getShape().get(0), -1).sum(new int[] {1}).reshape(-1, 1);
            return z.mul(bright.gt(brightPixels).toType(z.getDataType(), false).mul(999).add(1));
        });
    }

    /** Counts gradient and logit calls, and lets a test inspect every batch an attack queries. */
    public static final class Spy implements Classifier {
        private final Classifier inner;
        private final java.util.function.Consumer<NDArray> onQuery;
        public final AtomicInteger gradientCalls = new AtomicInteger();
        public final AtomicInteger logitCalls = new AtomicInteger();

        public Spy(Classifier inner, java.util.function.Consumer<NDArray> onQuery) {
            this.inner = inner;
            this.onQuery = onQuery;
        }

        @Override
        public String description() {
            return "spy:" + inner.description();
        }

        @Override
        public NDManager manager() {
            return inner.manager();
        }

        @Override
        public NDArray logits(NDArray images) {
            logitCalls.incrementAndGet();
            onQuery.accept(images);
            return inner.logits(images);
        }

        @Override
        public NDArray gradient(NDArray images, java.util.function.UnaryOperator<NDArray> lossOfLogits) {
            gradientCalls.incrementAndGet();
            return Classifier.super.gradient(images, lossOfLogits);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
