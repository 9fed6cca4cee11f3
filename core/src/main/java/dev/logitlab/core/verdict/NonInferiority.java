package dev.logitlab.core.verdict;

/**
 * Is the candidate worse than the baseline by more than a margin δ? On paired outcomes, with d = acc(candidate) −
 * acc(baseline) and its one-sided (1 − α) Newcombe bounds (method 10), three answers (equivalence testing's, Wellek
 * 2010): {@link Answer#PASSED} when the lower bound is above −δ (non-inferiority shown), {@link Answer#REGRESSED} when
 * the upper bound is below −δ (a drop larger than the margin shown), {@link Answer#INCONCLUSIVE} otherwise. A test that
 * only knows pass and fail calls "not shown" a regression: at n = 150 and p = 0.14 identical outcomes have a
 * one-sided lower bound of −0.013.
 */
public final class NonInferiority {

    /** What the evidence shows. */
    public enum Answer {
        PASSED, REGRESSED, INCONCLUSIVE;

        /** The word in verdicts, JUnit and Markdown. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Past this many examples the same outcomes are said never to decide. */
    static final int MOST_EXAMPLES = 10_000_000;

    /**
     * The decision with what it rests on. {@code upperBound} is at {@code regressionAlpha} (α shared over the budgets
     * that could each show a drop); {@code examplesToDecide}: for an inconclusive answer, how many examples with the
     * same outcome rates would give a definite one (−1: none would, the change sits on the margin).
     */
    public record Decision(Answer answer, double difference, double lowerBound, double upperBound, double margin,
                           double alpha, double regressionAlpha, int examplesToDecide, PairedOutcomes outcomes) {

        public boolean passed() {
            return answer == Answer.PASSED;
        }
    }

    private NonInferiority() {
    }

    public static Decision decide(PairedOutcomes outcomes, double margin, double alpha) {
        return decide(outcomes, margin, alpha, alpha);
    }

    /** {@code regressionAlpha}: the error rate of a "regressed" answer, α over the number of budgets in a gate. */
    public static Decision decide(PairedOutcomes outcomes, double margin, double alpha, double regressionAlpha) {
        if (!(margin >= 0 && margin <= 1)) {
            throw new IllegalArgumentException("margin must be in [0, 1], got " + margin);
        }
        if (!(alpha > 0 && alpha < 0.5)) {
            throw new IllegalArgumentException("alpha must be in (0, 0.5), got " + alpha);
        }
        if (!(regressionAlpha > 0 && regressionAlpha <= alpha)) {
            throw new IllegalArgumentException("the regression's alpha must be in (0, alpha], got " + regressionAlpha);
        }
        double lower = PairedDifference.lowerBound(outcomes, alpha);
        double upper = PairedDifference.upperBound(outcomes, regressionAlpha);
        Answer answer = lower > -margin ? Answer.PASSED : upper < -margin ? Answer.REGRESSED : Answer.INCONCLUSIVE;
        int decide = answer == Answer.INCONCLUSIVE ? examplesToDecide(outcomes, margin, alpha, regressionAlpha) : 0;
        return new Decision(answer, outcomes.difference(), lower, upper, margin, alpha, regressionAlpha, decide, outcomes);
    }

    /**
     * The fewest examples at which the same rates (both accuracies, their correlation) would pass or regress, whichever
     * side the change lies on; −1 when the change equals −δ or more than {@value #MOST_EXAMPLES} would be needed.
     */
    static int examplesToDecide(PairedOutcomes t, double margin, double alpha, double regressionAlpha) {
        double d = t.difference();
        if (d == -margin) {
            return -1;
        }
        boolean towardsPass = d > -margin;
        double z = PairedDifference.z(towardsPass ? alpha : regressionAlpha);
        double p1 = t.candidateAccuracy();
        double p2 = t.baselineAccuracy();
        double phi = PairedDifference.phi(t);
        java.util.function.IntPredicate decides = n -> {
            Interval i = PairedDifference.withZ(p1, p2, phi, n, z);
            return towardsPass ? i.lower() > -margin : i.upper() < -margin;
        };
        int low = t.examples();
        int high = low;
        while (!decides.test(high)) {
            if (high >= MOST_EXAMPLES) {
                return -1;
            }
            low = high;
            high = (int) Math.min(MOST_EXAMPLES, 2L * high);
        }
        while (high - low > 1) {   // the bounds tighten as n grows: bisect for the first n that decides
            int mid = low + (high - low) / 2;
            if (decides.test(mid)) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return high;
    }
}
