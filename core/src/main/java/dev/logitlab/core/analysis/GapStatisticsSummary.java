package dev.logitlab.core.analysis;

import dev.logitlab.events.EvaluationReport.GapSummary;
import dev.logitlab.events.EvaluationReport.Histogram;
import dev.logitlab.events.EvaluationReport.MinimalEps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.descriptive.rank.Median;

/**
 * Medians, the Spearman correlation of predicted vs minimal ε (the paper's Table 1) for FGSM, PGD and FMN with
 * censored examples kept ({@link MinimalEpsilonCensored}), and histograms.
 */
public final class GapStatisticsSummary {

    public static final int BINS = 20;
    /** The histograms' names, in the order a summary lists them. */
    public static final java.util.List<String> HISTOGRAMS = java.util.List.of("logitGap", "gradientGapL1",
            "gradientCosine", "predictedEps");

    private GapStatisticsSummary() {
    }

    /**
     * Summarises per-example statistics and each attack's minimal ε (NaN or +∞ where the attack found nothing up
     * to {@code maxEps}: censored, and kept as such). PGD's and FMN's may cover only the first examples. {@code fmnL2} (null: not measured) is FMN's minimal ℓ2 norm,
     * censored at {@code maxEpsL2} and ranked against the ℓ2 prediction.
     */
    public static GapSummary summarize(GapStatistics[] stats, float[] fgsmEps, float[] pgdEps, float[] fmnEps,
                                       double maxEps, float[] fmnL2, double maxEpsL2) {
        float[] predicted = new float[stats.length];
        float[] predictedL2 = new float[stats.length];
        for (int i = 0; i < stats.length; i++) {
            predicted[i] = stats[i].predictedEps();
            predictedL2[i] = stats[i].predictedEpsL2();
        }
        List<MinimalEps> minimal = new java.util.ArrayList<>(List.of(
                MinimalEpsilonCensored.summarize("fgsm", "linf", maxEps, fgsmEps, predicted),
                MinimalEpsilonCensored.summarize("pgd", "linf", maxEps, pgdEps, first(predicted, pgdEps)),
                MinimalEpsilonCensored.summarize("fmn", "linf", maxEps, fmnEps, first(predicted, fmnEps))));
        if (fmnL2 != null) {
            minimal.add(MinimalEpsilonCensored.summarize("fmn", "l2", maxEpsL2, fmnL2, first(predictedL2, fmnL2)));
        }
        Map<String, Histogram> histograms = new LinkedHashMap<>();
        histograms.put(HISTOGRAMS.get(0), histogram(values(stats, GapStatistics::logitGap)));
        histograms.put(HISTOGRAMS.get(1), histogram(values(stats, GapStatistics::gradientGapL1)));
        histograms.put(HISTOGRAMS.get(2), histogram(values(stats, GapStatistics::gradientCosine)));
        histograms.put(HISTOGRAMS.get(3), histogram(values(stats, GapStatistics::predictedEps)));
        return new GapSummary(stats.length,
                median(values(stats, GapStatistics::logitGap)),
                median(values(stats, GapStatistics::gradientGapL1)),
                median(values(stats, GapStatistics::predictedEps)),
                orNaN(minimal.get(0).median()),
                orNaN(minimal.get(1).median()),
                minimal.get(0).spearmanWithPredicted(),
                median(values(stats, GapStatistics::gradientCosine)),
                median(values(stats, GapStatistics::logitNorm)),
                histograms,
                MinimalEpsilonCensored.pairs(predicted, fgsmEps, maxEps),
                List.copyOf(minimal),
                MinimalEpsilonCensored.pairs(first(predicted, fmnEps), fmnEps, maxEps));
    }

    /** The predictions of the examples a search covered: the first ones (a plan's searchLimit may be smaller). */
    private static float[] first(float[] predicted, float[] searched) {
        return searched.length == predicted.length ? predicted : java.util.Arrays.copyOf(predicted, searched.length);
    }

    private static double orNaN(Double value) {
        return value == null ? Double.NaN : value;
    }

    static double median(double[] values) {
        return values.length == 0 ? Double.NaN : new Median().evaluate(values);
    }

    /** Equal-width bins between the smallest and largest value. */
    static Histogram histogram(double[] values) {
        if (values.length == 0) {
            return new Histogram(new double[0], new int[0]);
        }
        double min = java.util.Arrays.stream(values).min().getAsDouble();
        double max = java.util.Arrays.stream(values).max().getAsDouble();
        double width = max > min ? (max - min) / BINS : 1;
        double[] edges = new double[BINS + 1];
        for (int b = 0; b <= BINS; b++) {
            edges[b] = min + b * width;
        }
        int[] counts = new int[BINS];
        for (double v : values) {
            counts[Math.min(BINS - 1, (int) ((v - min) / width))]++;
        }
        return new Histogram(edges, counts);
    }

    private static double[] values(GapStatistics[] stats, ToDoubleFunction<GapStatistics> field) {
        return java.util.Arrays.stream(stats).mapToDouble(field).filter(Double::isFinite).toArray();
    }
}
