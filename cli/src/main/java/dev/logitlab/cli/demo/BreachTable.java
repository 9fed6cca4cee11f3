package dev.logitlab.cli.demo;

import dev.logitlab.cli.report.ExperimentReport;
import dev.logitlab.core.evaluation.AttackStrengthGap;
import dev.logitlab.core.evaluation.Breach;
import dev.logitlab.core.evaluation.BreachOverSeeds;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The logit pairing experiment's table: per defense and seed, the clean accuracy, both robust accuracies with their 95%
 * intervals, what the full suite took away (absolute and as a share), the paired comparisons with plain training, the
 * breach's answer and each evaluation's verdict; then per defense (and budget), the figures over seeds, the breach
 * judged over all seeds ({@link BreachOverSeeds}) and in how many seeds each evaluation flagged the model.
 */
final class BreachTable {

    private final PrintWriter out;

    BreachTable(PrintWriter out) {
        this.out = out;
    }

    void print(List<ExperimentReport.WeakAgainstFull> comparisons, List<BreachOverSeeds> overSeeds,
               LogitPairingExperiment.Settings s) {
        out.printf("%n%-22s %4s %5s  %-21s %-21s %6s %5s  %-16s %-24s %-13s %-31s %s%n", "defense", "seed", "clean",
                "weak [95%]", "full [95%]", "lost", "share", "weak-plain (p)", "full-plain [95% bounds]", "breach",
                "weak evaluation's verdict", "full suite's verdict");
        Map<String, int[]> flagged = new LinkedHashMap<>(); // seeds, weak flagged, full flagged
        Map<String, List<double[]>> figures = new LinkedHashMap<>(); // per seed: weak, full, clean
        for (ExperimentReport.WeakAgainstFull c : comparisons) {
            double clean = c.clean() == null ? Double.NaN : c.clean();
            for (int i = 0; i < c.rows().size(); i++) {
                AttackStrengthGap.Row r = c.rows().get(i);
                Breach.Row b = c.breach() == null ? null : c.breach().get(i);
                out.printf(Locale.ROOT, "%-22s %4d %5.3f  %-21s %-21s %6.3f %4.0f%%  %-16s %-24s %-13s %-31s %s%n",
                        c.defense(), c.seed(), clean, interval(r.weak(), r.weakInterval()),
                        interval(r.full(), r.fullInterval()), r.lost(), 100 * r.lostShare(),
                        b == null ? "" : String.format(Locale.ROOT, "%+.3f (%s)", b.weakOverPlain(), p(b.weakOverPlainP())),
                        b == null ? "" : String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", b.fullOverPlain(),
                                b.fullLower(), b.fullUpper()),
                        b == null ? "" : b.answer(), verdict(r.weakSuspected(), r.weakIndicators()),
                        verdict(r.fullSuspected(), r.fullIndicators()));
                String key = key(c.defense(), r.budget(), c.rows().size());
                figures.computeIfAbsent(key, d -> new ArrayList<>()).add(new double[] {r.weak(), r.full(), clean});
                int[] t = flagged.computeIfAbsent(key, d -> new int[3]);
                t[0]++;
                t[1] += r.weakSuspected() ? 1 : 0;
                t[2] += r.fullSuspected() ? 1 : 0;
            }
        }
        Map<String, BreachOverSeeds> pooled = new LinkedHashMap<>();
        boolean oneBudget = comparisons.isEmpty() || comparisons.get(0).rows().size() == 1;
        overSeeds.forEach(b -> pooled.put(key(b.defense(), b.budget(), oneBudget ? 1 : 2), b));
        out.printf("%n%-22s %-19s %-19s %-19s %-24s %-24s %-13s %-7s %s%n", "defense", "clean (seeds)", "weak (seeds)",
                "full (seeds)", "weak-plain [95% bounds]", "full-plain [95% bounds]", "breach", "weak", "full");
        out.printf("%-22s %-19s %-19s %-19s %-24s %-24s %-13s %-7s %s%n", "", "mean (low-high)", "", "",
                "per image, over seeds", "", "(Holm)", "flagged", "flagged");
        flagged.forEach((defense, t) -> {
            BreachOverSeeds b = pooled.get(defense);
            out.printf(Locale.ROOT, "%-22s %-19s %-19s %-19s %-24s %-24s %-13s %-7s %s%n", defense,
                    range(figures.get(defense), 2), range(figures.get(defense), 0), range(figures.get(defense), 1),
                    b == null ? "(the reference)" : bounds(b.weakOverPlain(), b.weakBounds()),
                    b == null ? "" : bounds(b.fullOverPlain(), b.fullBounds()),
                    b == null ? "" : b.answer() + (b.trained() < b.seeds() && b.trained() > 0
                            ? " (" + b.trained() + " seeds)" : ""), t[1] + " of " + t[0], t[2] + " of " + t[0]);
        });
        out.println("(weak: " + s.weak() + ", cross-entropy, as the pairing papers ran it; full: the suite's worst case "
                + "per example. Per seed: weak-plain is robust accuracy minus plain training's of the same seed under "
                + "the weak evaluation, exact one-sided McNemar p; full-plain the same under the full suite with "
                + "Newcombe's one-sided 95% bounds. Per defense: the same differences per image, averaged over the "
                + "seeds that trained, tested by sign flips over the images, with Student t's one-sided 95% bounds. "
                + "Breach shown: above plain under the weak evaluation at p < " + Breach.ALPHA + " and the full-suite "
                + "gain under " + Breach.MARGIN + " (per defense: Holm over the defenses); refuted: the full-suite gain "
                + "above " + Breach.MARGIN + ", or the weak one at or below 0; did not train: clean accuracy more than "
                + Breach.TRAINED_MARGIN + " below plain's; otherwise not shown)");
        out.flush();
    }

    private static String key(String defense, String budget, int budgets) {
        return budgets == 1 ? defense : defense + " " + budget;
    }

    private static String bounds(double value, List<Double> bounds) {
        return bounds == null ? "" : String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", value, bounds.get(0),
                bounds.get(1));
    }

    private static String interval(double value, List<Double> ci) {
        return ci == null || ci.size() != 2 ? String.format(Locale.ROOT, "%.3f", value)
                : String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", value, ci.get(0), ci.get(1));
    }

    /** The mean over seeds, and the lowest and highest seed's figure. */
    private static String range(List<double[]> perSeed, int which) {
        double sum = 0;
        double low = 1;
        double high = 0;
        for (double[] f : perSeed) {
            sum += f[which];
            low = Math.min(low, f[which]);
            high = Math.max(high, f[which]);
        }
        return String.format(Locale.ROOT, "%.3f (%.3f-%.3f)", sum / perSeed.size(), low, high);
    }

    private static String p(double p) {
        return p < 0.001 ? "<0.001" : String.format(Locale.ROOT, "%.3f", p);
    }

    private static String verdict(boolean suspected, List<String> indicators) {
        return suspected ? "SUSPECTED: " + String.join(", ", indicators) : "not suspected";
    }
}
