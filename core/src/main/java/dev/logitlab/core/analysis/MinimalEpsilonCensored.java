package dev.logitlab.core.analysis;

import dev.logitlab.events.EvaluationReport.MinimalEps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

/**
 * Per-example minimal ε as a right-censored sample: an example that an attack did not break up to ε_max has a
 * minimal ε above ε_max, not an unknown one, so it stays in the sample. All censoring happens at the one value
 * ε_max, so the Kaplan–Meier estimate of the distribution below ε_max is the empirical one over all n examples
 * (censored ones included in the denominator), and a quantile whose level exceeds the uncensored fraction is only
 * known to lie above ε_max: it is reported as null. The rank correlation with Eq. 4's prediction ties every
 * censored example at ε_max (their order among themselves is unknown; they are all larger than the rest).
 */
public final class MinimalEpsilonCensored {

    private MinimalEpsilonCensored() {
    }

    /**
     * Summarises one attack's minimal ε. {@code found[i]} is NaN or +∞ where nothing was found; values above
     * {@code maxEps} are censored too. {@code predicted} (may be null) is Eq. 4's per-example prediction.
     */
    public static MinimalEps summarize(String attack, String norm, double maxEps, float[] found, float[] predicted) {
        int n = found.length;
        double[] observed = Arrays.stream(toDouble(found)).filter(v -> !censored(v, maxEps)).sorted().toArray();
        int censored = n - observed.length;
        return new MinimalEps(attack, norm, maxEps, n, censored, n == 0 ? 0 : (double) censored / n,
                quantile(observed, n, 0.25), quantile(observed, n, 0.5), quantile(observed, n, 0.75),
                predicted == null ? Double.NaN : spearman(predicted, found, maxEps));
    }

    static boolean censored(double value, double maxEps) {
        return !(value <= maxEps);
    }

    /** The q-quantile of a sample of n of which {@code observed} (sorted) are below ε_max; null when above it. */
    static Double quantile(double[] observed, int n, double q) {
        if (n == 0) {
            return null;
        }
        int rank = (int) Math.ceil(q * n);   // the smallest k with k / n ≥ q
        return rank <= observed.length ? observed[Math.max(rank, 1) - 1] : null;
    }

    /** Spearman's ρ between prediction and minimal ε, censored values tied at ε_max; NaN below 3 pairs. */
    static double spearman(float[] predicted, float[] found, double maxEps) {
        List<double[]> pairs = pairs(predicted, found, maxEps);
        if (pairs.size() < 3) {
            return Double.NaN;
        }
        return new SpearmansCorrelation().correlation(pairs.stream().mapToDouble(p -> p[0]).toArray(),
                pairs.stream().mapToDouble(p -> p[1]).toArray());
    }

    /** (predicted, minimal ε) where the prediction is finite, censored minimal ε at ε_max. */
    static List<double[]> pairs(float[] predicted, float[] found, double maxEps) {
        List<double[]> pairs = new ArrayList<>();
        for (int i = 0; i < found.length; i++) {
            if (Float.isFinite(predicted[i])) {
                pairs.add(new double[] {predicted[i], censored(found[i], maxEps) ? maxEps : found[i]});
            }
        }
        return pairs;
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
