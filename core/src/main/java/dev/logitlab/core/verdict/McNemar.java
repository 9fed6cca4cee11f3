package dev.logitlab.core.verdict;

import org.apache.commons.math3.distribution.BinomialDistribution;

/**
 * The exact McNemar test on paired outcomes: under "no difference" each of the b + c discordant examples is equally
 * likely to favour either checkpoint, so p = min(1, 2·P[Bin(b + c, ½) ≤ min(b, c)]) (two-sided).
 */
public final class McNemar {

    private McNemar() {
    }

    public static double exactP(int baselineOnly, int candidateOnly) {
        int discordant = baselineOnly + candidateOnly;
        if (discordant == 0) {
            return 1;
        }
        double tail = new BinomialDistribution(null, discordant, 0.5)
                .cumulativeProbability(Math.min(baselineOnly, candidateOnly));
        return Math.min(1, 2 * tail);
    }

    public static double exactP(PairedOutcomes outcomes) {
        return exactP(outcomes.baselineOnly(), outcomes.candidateOnly());
    }

    /**
     * The one-sided exact test of a drop: p = P[Bin(b + c, ½) ≥ b], b the examples only the baseline withstood (the
     * negative flips), c those only the candidate did; 1 when no example differs.
     */
    public static double dropP(PairedOutcomes outcomes) {
        int b = outcomes.baselineOnly();
        int discordant = b + outcomes.candidateOnly();
        if (discordant == 0 || b == 0) {
            return 1;
        }
        // P[X ≥ b] = P[X ≤ n − b] for X ~ Bin(n, ½), summed term by term: a library cdf is 1 − (regularized beta),
        // which rounds a p below 1e-16 to 0
        BinomialDistribution binomial = new BinomialDistribution(null, discordant, 0.5);
        double tail = 0;
        for (int k = 0; k <= discordant - b; k++) {
            tail += Math.exp(binomial.logProbability(k));
        }
        return Math.min(1, tail);
    }
}
