package dev.logitlab.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The model families an attack suite must hold its strength on: trained ones (plain, long-trained and confident,
 * label smoothing with noise, logit squeezing with noise, PGD-trained) and plain training behind the kinds of gradient
 * masking the indicators exist for (saturated logits, quantised input, random outputs). Each small-cnn on
 * Fashion-MNIST, trained here with a fixed seed so every run attacks the same models.
 */
final class ModelFamilies {

    /** The families by name, in the order the table prints them. */
    static final List<String> ALL = List.of("plain", "long-trained", "ls+gn", "lsq+gn", "pgd-trained", "saturated",
            "quantised", "randomized");

    private final TrainTestSplit data;
    private final Path dir;
    private final Map<String, Path> trained = new LinkedHashMap<>();

    ModelFamilies(TrainTestSplit data) throws IOException {
        this.data = data;
        this.dir = Files.createTempDirectory("logitlab-families");
    }

    /** A fresh classifier of the family (the caller closes it). */
    Classifier open(String family) {
        return switch (family) {
            case "plain" -> Classifiers.open(train("plain", 2, 10_000));
            case "long-trained" -> Classifiers.open(train("plain", 12, 20_000));
            case "ls+gn" -> Classifiers.open(train("ls=0.5,gn=0.3", 3, 10_000));
            case "lsq+gn" -> Classifiers.open(train("lsq=0.01,gn=0.3", 3, 10_000));
            case "pgd-trained" -> Classifiers.open(train("at=0.1:steps=3", 3, 10_000));
            case "saturated" -> wrap(open("plain"), "saturated", (m, x) -> m.logits(x).mul(1000f));
            case "quantised" -> wrap(open("plain"), "quantised", (m, x) -> m.logits(x.mul(8).round().div(8)));
            case "randomized" -> wrap(open("plain"), "randomized", (m, x) -> {
                NDArray z = m.logits(x);
                return z.add(z.getManager().randomNormal(0, 0.5f, z.getShape(), z.getDataType()));
            });
            default -> throw new IllegalArgumentException("unknown model family '" + family + "'; known: " + ALL);
        };
    }

    private Path train(String defense, int epochs, int images) {
        return trained.computeIfAbsent(defense + "/" + epochs + "/" + images, key -> {
            TrainingConfig config = new TrainingConfig("fashion-mnist", "small-cnn", defense, epochs, images, 1000,
                    128, 1e-3, "adam", 0);
            String runId = key.replaceAll("[^a-z0-9.]+", "-");
            return new Training(config, runId, dir.resolve(runId), null).run(data).lastCheckpoint().directory();
        });
    }

    /** A classifier whose logits are {@code logits} of the inner one and the images: masking by construction. */
    private static Classifier wrap(Classifier inner, String name, BiFunction<Classifier, NDArray, NDArray> logits) {
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
}
