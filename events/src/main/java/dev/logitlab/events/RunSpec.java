package dev.logitlab.events;

import java.util.List;

/**
 * A training run as submitted to the trainer ({@code POST /api/runs}) and echoed in {@link RunEvent}s: data,
 * network, defense, hyperparameters, seed, and how to evaluate each checkpoint.
 */
public record RunSpec(
        String dataset,
        String model,
        String defense,
        int epochs,
        int trainLimit,
        int testLimit,
        int batchSize,
        double learningRate,
        String optimizer,
        long seed,
        Evaluation evaluation) {

    /** How every checkpoint of the run is attacked and analysed. */
    public record Evaluation(List<Double> eps, String attacks, int limit, int gapLimit) {
    }
}
