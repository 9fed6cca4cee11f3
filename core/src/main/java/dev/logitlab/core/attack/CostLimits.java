package dev.logitlab.core.attack;

import java.util.Map;

/**
 * What one evaluation may cost, so that no submitter can buy the attack replicas for everyone: a cap on every
 * whole-number attack option a caller sets (steps and SPSA iterations, restarts, queries, samples, targets, noise
 * draws), on the examples and budgets, and on the planned work in forward-pass equivalents
 * ({@link Attack#cost()} summed over the shards, times the EOT draws of a randomized model). Each cap has a
 * configuration key under {@code logitlab.limits}, named in the error.
 */
public record CostLimits(int steps, int restarts, int queries, int samples, int targets, int draws, int examples,
                         int budgets, double work) {

    /**
     * Room for every published protocol (AutoAttack's Square 5000, SPSA's 8192 samples, 10,000 test images at 12
     * budgets of the default suite, about 5·10⁸) and not for a typo of three extra zeros.
     */
    public static final CostLimits DEFAULTS = new CostLimits(1000, 20, 20_000, 8192, 99, 1000, 10_000, 12, 1e9);

    /** The bound every option had before limits were configurable: what trusted callers (the CLI) parse with. */
    public static final CostLimits CEILING = new CostLimits(1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000,
            1_000_000, Integer.MAX_VALUE, Integer.MAX_VALUE, Double.POSITIVE_INFINITY);

    /** Attack options that are costs, and the configuration key of each one's cap. */
    private static final Map<String, String> KEYS = Map.of("steps", "attack-steps", "iterations", "attack-steps",
            "restarts", "attack-restarts", "queries", "attack-queries", "samples", "attack-samples",
            "targets", "attack-targets", "draws", "attack-draws");

    /** A request over one of the limits; {@link #limit()} is the configuration key, without its prefix. */
    public static final class Exceeded extends IllegalArgumentException {
        private final String limit;
        private final String what;

        Exceeded(String limit, String what) {
            super(what + " (logitlab.limits." + limit + ")");
            this.limit = limit;
            this.what = what;
        }

        /** The same refusal, its message opening with where it was found. */
        Exceeded in(String where) {
            return new Exceeded(limit, where + what);
        }

        public String limit() {
            return limit;
        }
    }

    /** The cap of a whole-number attack option that is a cost ({@code steps}, …). */
    private int capOf(String option) {
        return switch (option) {
            case "steps", "iterations" -> steps;
            case "restarts" -> restarts;
            case "queries" -> queries;
            case "samples" -> samples;
            case "targets" -> targets;
            case "draws" -> draws;
            default -> throw new IllegalStateException(option);
        };
    }

    /** Refuses an attack option over its cap; options that are no cost (a step size) pass. */
    void checkOption(String option, int value) {
        if (KEYS.containsKey(option) && value > capOf(option)) {
            throw new Exceeded(KEYS.get(option), option + " = " + value + " is over the limit of " + capOf(option));
        }
    }

    /** Refuses more examples or budgets than allowed. */
    public void checkSize(int examples, int budgets) {
        if (examples > this.examples) {
            throw new Exceeded("evaluation-images", examples + " test images asked for, over the limit of "
                    + this.examples);
        }
        if (budgets > this.budgets) {
            throw new Exceeded("budgets", budgets + " budgets (eps and epsL2) asked for, over the limit of "
                    + this.budgets);
        }
    }

    /** Refuses a plan whose work (forward-pass equivalents, EOT draws included) is over the budget. */
    public void checkWork(double work) {
        if (work > this.work) {
            throw new Exceeded("evaluation-work", String.format(java.util.Locale.ROOT,
                    "the evaluation would cost %.3g forward-pass equivalents, over the limit of %.3g", work, this.work));
        }
    }
}
