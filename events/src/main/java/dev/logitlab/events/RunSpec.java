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

    /**
     * How every checkpoint of the run is attacked and analysed: ℓ∞ budgets {@code eps}, ℓ2 budgets {@code epsL2}
     * (absent or empty: none), the attack spec, how many test images, and on how many to measure gaps.
     */
    public record Evaluation(List<Double> eps, List<Double> epsL2, String attacks, int limit, int gapLimit) {

        public Evaluation {
            epsL2 = epsL2 == null ? List.of() : epsL2;
        }

        /** An ℓ∞-only evaluation. */
        public Evaluation(List<Double> eps, String attacks, int limit, int gapLimit) {
            this(eps, List.of(), attacks, limit, gapLimit);
        }
    }
}
