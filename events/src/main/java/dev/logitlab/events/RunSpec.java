package dev.logitlab.events;

import com.fasterxml.jackson.annotation.JsonInclude;
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
     * (absent or empty: none), the attack spec, how many test images, on how many to measure gaps, and what each
     * checkpoint's verdict compares it with ({@code baseline}: a checkpoint id or {@value #BEST}; {@code maxDrop}: the
     * margin).
     */
    public record Evaluation(List<Double> eps, List<Double> epsL2, String attacks, int limit, int gapLimit,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String baseline,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Double maxDrop,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Integer searchLimit,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Integer singleDraws) {

        /** What a verdict compares with when {@code baseline} names no checkpoint: the run's best so far. */
        public static final String BEST = "best";
        public static final double DEFAULT_MAX_DROP = 0.01;

        public Evaluation {
            epsL2 = epsL2 == null ? List.of() : epsL2;
        }

        /** An evaluation judging a randomized model on the default number of single draws. */
        public Evaluation(List<Double> eps, List<Double> epsL2, String attacks, int limit, int gapLimit, String baseline,
                          Double maxDrop, Integer searchLimit) {
            this(eps, epsL2, attacks, limit, gapLimit, baseline, maxDrop, searchLimit, null);
        }

        /** An evaluation whose minimal-ε searches cover all its gap examples. */
        public Evaluation(List<Double> eps, List<Double> epsL2, String attacks, int limit, int gapLimit, String baseline,
                          Double maxDrop) {
            this(eps, epsL2, attacks, limit, gapLimit, baseline, maxDrop, null);
        }

        /** An evaluation without a baseline (absent fields stay out of the JSON, so plan hashes do not change). */
        public Evaluation(List<Double> eps, List<Double> epsL2, String attacks, int limit, int gapLimit) {
            this(eps, epsL2, attacks, limit, gapLimit, null, null);
        }

        /** An ℓ∞-only evaluation. */
        public Evaluation(List<Double> eps, String attacks, int limit, int gapLimit) {
            this(eps, List.of(), attacks, limit, gapLimit);
        }

        public double margin() {
            return maxDrop == null ? DEFAULT_MAX_DROP : maxDrop;
        }
    }
}
