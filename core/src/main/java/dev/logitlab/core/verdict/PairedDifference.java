package dev.logitlab.core.verdict;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * An interval for acc(candidate) − acc(baseline) on paired outcomes: Newcombe's method 10 (Stat. Med. 17:2635, 1998),
 * the hybrid of the two accuracies' Wilson score intervals corrected for their correlation φ. With the accuracies
 * p₁ (candidate), p₂ (baseline), their Wilson intervals (l₁, u₁), (l₂, u₂) and θ = p₁ − p₂:
 * θ − √((p₁ − l₁)² − 2φ(p₁ − l₁)(u₂ − p₂) + (u₂ − p₂)²) to θ + √((u₁ − p₁)² − 2φ(u₁ − p₁)(p₂ − l₂) + (p₂ − l₂)²),
 * φ = (ad − bc)/√((a+b)(c+d)(a+c)(b+d)) over the 2×2 table, 0 when a margin is empty. It stays inside [−1, 1] and
 * behaves at 0 and 1, where the Wald interval does not.
 */
public final class PairedDifference {

    private PairedDifference() {
    }

    /** The two-sided interval at {@code confidence}. */
    public static Interval of(PairedOutcomes t, double confidence) {
        double z = new NormalDistribution(null, 0, 1).inverseCumulativeProbability(1 - (1 - confidence) / 2);
        return withZ(t, z);
    }

    /** The lower bound of the one-sided (1 − α) interval: the two-sided (1 − 2α) interval's lower bound. */
    public static double lowerBound(PairedOutcomes t, double alpha) {
        return withZ(t, z(alpha)).lower();
    }

    /** The upper bound of the one-sided (1 − α) interval: the two-sided (1 − 2α) interval's upper bound. */
    public static double upperBound(PairedOutcomes t, double alpha) {
        return withZ(t, z(alpha)).upper();
    }

    /** The one-sided (1 − α) normal quantile. */
    static double z(double alpha) {
        return new NormalDistribution(null, 0, 1).inverseCumulativeProbability(1 - alpha);
    }

    static Interval withZ(PairedOutcomes t, double z) {
        return withZ(t.candidateAccuracy(), t.baselineAccuracy(), phi(t), t.examples(), z);
    }

    /**
     * The interval for accuracies p₁ (candidate) and p₂ (baseline) with correlation φ over n examples; n may be any
     * size, which is how the gate says how many examples the same outcomes would need.
     */
    static Interval withZ(double p1, double p2, double phi, double n, double z) {
        Interval w1 = wilson(p1, n, z);
        Interval w2 = wilson(p2, n, z);
        double theta = p1 - p2;
        double down = Math.sqrt(Math.max(0, sq(p1 - w1.lower()) - 2 * phi * (p1 - w1.lower()) * (w2.upper() - p2)
                + sq(w2.upper() - p2)));
        double up = Math.sqrt(Math.max(0, sq(w1.upper() - p1) - 2 * phi * (w1.upper() - p1) * (p2 - w2.lower())
                + sq(p2 - w2.lower())));
        return new Interval(Math.max(-1, theta - down), Math.min(1, theta + up));
    }

    /** The Wilson score interval of a proportion p of n. */
    public static Interval wilson(double p, double n, double z) {
        double z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
        return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
    }

    /** The correlation of the two checkpoints' outcomes; a = both robust, d = neither, b and c discordant. */
    static double phi(PairedOutcomes t) {
        double a = t.both();
        double b = t.candidateOnly();
        double c = t.baselineOnly();
        double d = t.neither();
        double margins = (a + b) * (c + d) * (a + c) * (b + d);
        return margins == 0 ? 0 : (a * d - b * c) / Math.sqrt(margins);
    }

    private static double sq(double x) {
        return x * x;
    }
}
