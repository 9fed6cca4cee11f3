package dev.logitlab.core.verdict;

/**
 * Is the candidate not worse than the baseline by more than a margin δ? On paired outcomes, yes when the lower
 * bound of the one-sided (1 − α) interval of acc(candidate) − acc(baseline) (Newcombe's method 10) is above −δ. A gate
 * on the point estimate alone would pass or fail on noise at these sample sizes; this one says how sure it is.
 */
public final class NonInferiority {

    /** The decision with what it rests on. */
    public record Decision(boolean notWorse, double difference, double lowerBound, double margin, double alpha,
                           PairedOutcomes outcomes) {
    }

    private NonInferiority() {
    }

    public static Decision decide(PairedOutcomes outcomes, double margin, double alpha) {
        if (!(margin >= 0 && margin <= 1)) {
            throw new IllegalArgumentException("margin must be in [0, 1], got " + margin);
        }
        if (!(alpha > 0 && alpha < 0.5)) {
            throw new IllegalArgumentException("alpha must be in (0, 0.5), got " + alpha);
        }
        double lower = PairedDifference.lowerBound(outcomes, alpha);
        return new Decision(lower > -margin, outcomes.difference(), lower, margin, alpha, outcomes);
    }
}
