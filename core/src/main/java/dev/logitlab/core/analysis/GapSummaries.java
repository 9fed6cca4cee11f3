package dev.logitlab.core.analysis;

import dev.logitlab.events.EvaluationReport.GapSummary;
import dev.logitlab.events.EvaluationReport.Histogram;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.apache.commons.math3.stat.descriptive.rank.Median;

/** Medians, the Spearman correlation of predicted vs FGSM minimal ε (the paper's Table 1), and histograms. */
public final class GapSummaries {

    static final int BINS = 20;

    private GapSummaries() {
    }

    /** Summarises per-example statistics and minimal ε (NaN where the attack never succeeded). */
    public static GapSummary summarize(GapStatistics[] stats, float[] fgsmEps, float[] pgdEps) {
        List<double[]> pairs = new ArrayList<>();
        for (int i = 0; i < stats.length; i++) {
            if (Float.isFinite(stats[i].predictedEps()) && Float.isFinite(fgsmEps[i])) {
                pairs.add(new double[] {stats[i].predictedEps(), fgsmEps[i]});
            }
        }
        Map<String, Histogram> histograms = new LinkedHashMap<>();
        histograms.put("logitGap", histogram(values(stats, GapStatistics::logitGap)));
        histograms.put("gradientGapL1", histogram(values(stats, GapStatistics::gradientGapL1)));
        histograms.put("gradientCosine", histogram(values(stats, GapStatistics::gradientCosine)));
        histograms.put("predictedEps", histogram(values(stats, GapStatistics::predictedEps)));
        return new GapSummary(stats.length,
                median(values(stats, GapStatistics::logitGap)),
                median(values(stats, GapStatistics::gradientGapL1)),
                median(values(stats, GapStatistics::predictedEps)),
                median(finite(fgsmEps)),
                median(finite(pgdEps)),
                spearman(pairs),
                median(values(stats, GapStatistics::gradientCosine)),
                median(values(stats, GapStatistics::logitNorm)),
                histograms,
                pairs);
    }

    static double median(double[] values) {
        return values.length == 0 ? Double.NaN : new Median().evaluate(values);
    }

    static double spearman(List<double[]> pairs) {
        if (pairs.size() < 3) {
            return Double.NaN;
        }
        double[] x = pairs.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = pairs.stream().mapToDouble(p -> p[1]).toArray();
        return new SpearmansCorrelation().correlation(x, y);
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

    private static double[] finite(float[] values) {
        List<Double> out = new ArrayList<>();
        for (float v : values) {
            if (Float.isFinite(v)) {
                out.add((double) v);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
