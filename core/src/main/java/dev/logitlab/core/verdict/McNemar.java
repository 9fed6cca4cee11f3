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
}
