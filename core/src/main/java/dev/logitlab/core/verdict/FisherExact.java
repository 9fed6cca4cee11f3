package dev.logitlab.core.verdict;

import org.apache.commons.math3.distribution.HypergeometricDistribution;

/**
 * Fisher's exact test of two independent proportions k₁/n₁ and k₂/n₂: given the margins, the count k₁ is
 * hypergeometric under "same proportion"; the two-sided p sums the probabilities of every table no more likely than
 * the one observed. For rows whose per-example outcomes are unknown, so they cannot be paired.
 */
public final class FisherExact {

    /** Relative slack when comparing table probabilities, as R's fisher.test uses, so ties in exact arithmetic stay ties. */
    private static final double RELATIVE_ERROR = 1 + 1e-7;

    private FisherExact() {
    }

    public static double twoSided(int k1, int n1, int k2, int n2) {
        if (k1 < 0 || k1 > n1 || k2 < 0 || k2 > n2 || n1 + n2 == 0) {
            throw new IllegalArgumentException("counts out of range: " + k1 + "/" + n1 + ", " + k2 + "/" + n2);
        }
        int successes = k1 + k2;
        HypergeometricDistribution h = new HypergeometricDistribution(null, n1 + n2, successes, n1);
        double observed = h.probability(k1);
        double p = 0;
        for (int k = Math.max(0, successes - n2); k <= Math.min(successes, n1); k++) {
            double pk = h.probability(k);
            if (pk <= observed * RELATIVE_ERROR) {
                p += pk;
            }
        }
        return Math.min(1, p);
    }
}
