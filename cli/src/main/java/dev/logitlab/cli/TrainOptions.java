package dev.logitlab.cli;

import dev.logitlab.core.train.TrainingConfig;
import picocli.CommandLine.Option;

/** The options that describe a training run, shared by train and bench. */
final class TrainOptions {

    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "fashion-mnist, mnist, cifar10 or synthetic (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--model", defaultValue = "small-cnn", description = "linear, mlp, small-cnn or wrn-<depth>-<width> (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--defense", defaultValue = "plain", description = "comma-separated terms: plain, ls=<α>, lsq=<β>, lsqk=<λ>, gn=<σ>[:clip=1], als=<ε>, at=<ε>[:steps=<k>], alp=<λ>[:eps=<ε>][:steps=<k>], clp=<λ> (docs/training.md; default: ${DEFAULT-VALUE})")
    String defense;

    @Option(names = "--epochs", defaultValue = "3", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--train-limit", defaultValue = "0", description = "train on the first N shuffled-by-file-order images (0 = all)")
    int trainLimit;

    @Option(names = "--test-limit", defaultValue = "0", description = "measure clean accuracy on the first N test images (0 = all)")
    int testLimit;

    @Option(names = "--batch", defaultValue = "128", description = "batch size (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", description = "learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam or sgd (momentum 0.9) (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--seed", defaultValue = "0", description = "seed of initialisation, shuffling and noise (default: ${DEFAULT-VALUE})")
    long seed;

    @picocli.CommandLine.Mixin
    RuntimeOptions runtime = new RuntimeOptions();

    TrainingConfig config() {
        return new TrainingConfig(dataset, model, defense, epochs, trainLimit, testLimit, batch, learningRate,
                optimizer, seed);
    }
}
