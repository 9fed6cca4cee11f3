package dev.logitlab.core.evaluation;

import dev.logitlab.core.verdict.Holm;
import dev.logitlab.events.EvaluationReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The breach ({@link Breach}) judged once per defense and budget over all its seeds, and over the defenses as a family.
 * Every seed judges the same test images, so the unit is the image: per image, the defense's robust outcome minus
 * plain training's of the same seed, averaged over the seeds that trained ({@link Breach#trained}). The mean of these
 * per-image differences is the defense's gain over plain. Its p-values come from a sign-flip test over the images
 * (each image's difference, less the value tested, flipped at random: {@value #FLIPS} seeded draws), which with few
 * images that differ is as exact as McNemar's test, where a t approximation would claim too much; its 95% bounds,
 * shown beside, are Student t's. One number per image keeps the correlation between seeds on one image inside the
 * error. The tests are about these seeds' models, not about training the defense again: three seeds are too few to
 * test that spread, which the table shows beside.
 *
 * <p>The breach is {@code shown} for a defense when both legs are (the weak gain above 0, the full-suite gain under
 * {@link Breach#MARGIN}: an intersection-union test, p the larger of the two), Holm-adjusted over the defenses and
 * budgets judged; {@code refuted} when the full-suite gain is above the margin or the weak one below 0 (Bonferroni
 * over the two routes, then Holm over the family); otherwise {@code not shown}. Refutation is checked first, as in
 * {@link Breach}.
 */
public record BreachOverSeeds(String defense, String budget, int seeds, int trained, int images, double weakOverPlain,
                              List<Double> weakBounds, double fullOverPlain, List<Double> fullBounds, double shownP,
                              double refutedP, String answer) {

    /** One seed of a defense, with plain training of the same seed. */
    public record Seed(AttackStrengthGap defense, AttackStrengthGap plain) {
    }

    /** How many random sign assignments each test draws: p is known to about ±0.0015 at 0.05. */
    static final int FLIPS = 20_000;
    private static final long FLIP_SEED = 2018;

    /** Judges every defense (in the map's order) on every budget of its evaluations. */
    public static List<BreachOverSeeds> judge(Map<String, List<Seed>> defenses) {
        List<Pooled> pooled = new ArrayList<>();
        defenses.forEach((defense, seeds) -> {
            List<Seed> trained = seeds.stream().filter(s -> Breach.trained(s.defense(), s.plain())).toList();
            for (EvaluationReport.WorstCase budget : seeds.get(0).defense().full().worstCase()) {
                pooled.add(Pooled.of(defense, budget, seeds.size(), trained));
            }
        });
        double[] shown = Holm.adjust(pooled.stream().mapToDouble(p -> p.shownP).toArray());
        double[] refuted = Holm.adjust(pooled.stream().mapToDouble(p -> p.refutedP).toArray());
        List<BreachOverSeeds> judged = new ArrayList<>();
        for (int i = 0; i < pooled.size(); i++) {
            Pooled p = pooled.get(i);
            String answer = p.trained == 0 ? Breach.DID_NOT_TRAIN : refuted[i] < Breach.ALPHA ? Breach.REFUTED
                    : shown[i] < Breach.ALPHA ? Breach.SHOWN : Breach.NOT_SHOWN;
            judged.add(new BreachOverSeeds(p.defense, p.budget, p.seeds, p.trained, p.weak.n(), p.weak.mean,
                    p.weak.bounds(), p.full.mean, p.full.bounds(), shown[i], refuted[i], answer));
        }
        return judged;
    }

    /** One defense and budget before the family's adjustment; NaN p-values (did not train) stay out of it. */
    private record Pooled(String defense, String budget, int seeds, int trained, Mean weak, Mean full, double shownP,
                          double refutedP) {

        static Pooled of(String defense, EvaluationReport.WorstCase budget, int seeds, List<Seed> trained) {
            if (trained.isEmpty()) {
                return new Pooled(defense, budget.budget(), seeds, 0, Mean.NONE, Mean.NONE, Double.NaN, Double.NaN);
            }
            Mean weak = Mean.of(trained, budget, true);
            Mean full = Mean.of(trained, budget, false);
            double shownP = Math.max(weak.pAbove(0), full.pBelow(Breach.MARGIN));
            double refutedP = Math.min(1, 2 * Math.min(full.pAbove(Breach.MARGIN), weak.pBelow(0)));
            return new Pooled(defense, budget.budget(), seeds, trained.size(), weak, full, shownP, refutedP);
        }
    }

    /** The per-image differences, their mean and its standard error. */
    record Mean(double[] d, double mean, double se) {

        static final Mean NONE = new Mean(new double[0], Double.NaN, Double.NaN);

        /** How many images the differences are over. */
        int n() {
            return d.length;
        }

        static Mean of(List<Seed> seeds, EvaluationReport.WorstCase budget, boolean weak) {
            double[] d = null;
            for (Seed s : seeds) {
                String defense = Breach.same(weak ? s.defense().weak() : s.defense().full(), budget).robust();
                String plain = Breach.same(weak ? s.plain().weak() : s.plain().full(), budget).robust();
                if (defense == null || plain == null || defense.length() != plain.length()
                        || d != null && d.length != defense.length()) {
                    throw new IllegalArgumentException("the seeds of a defense and plain training must judge the "
                            + "same examples, each with its per-example outcomes");
                }
                d = d == null ? new double[defense.length()] : d;
                for (int i = 0; i < d.length; i++) {
                    d[i] += ((defense.charAt(i) == '1' ? 1 : 0) - (plain.charAt(i) == '1' ? 1 : 0))
                            / (double) seeds.size();
                }
            }
            double mean = 0;
            for (double x : d) {
                mean += x / d.length;
            }
            double ss = 0;
            for (double x : d) {
                ss += (x - mean) * (x - mean);
            }
            return new Mean(d, mean, Math.sqrt(ss / (d.length - 1) / d.length));
        }

        /** One-sided p of "the mean is above {@code value}" (small when it is). */
        double pAbove(double value) {
            return signFlip(value, 1);
        }

        /** One-sided p of "the mean is below {@code value}". */
        double pBelow(double value) {
            return signFlip(value, -1);
        }

        /**
         * The sign-flip test of the centred differences dᵢ − value in the direction {@code side} (+1: above): the
         * share of random sign assignments whose sum reaches the observed one, counted as (1 + hits) / (1 + draws) so
         * that p is never 0. Only the images whose centred difference is not 0 can change the sum.
         */
        private double signFlip(double value, int side) {
            double[] c = Arrays.stream(d).map(x -> side * (x - value)).filter(x -> Math.abs(x) > 1e-12).toArray();
            double observed = 0;
            for (double x : c) {
                observed += x;
            }
            SplittableRandom random = new SplittableRandom(FLIP_SEED);
            int hits = 0;
            for (int draw = 0; draw < FLIPS; draw++) {
                double sum = 0;
                for (int i = 0; i < c.length; i += 64) {
                    long signs = random.nextLong();
                    for (int j = i; j < Math.min(c.length, i + 64); j++) {
                        sum += (signs >>> (j - i) & 1) == 0 ? c[j] : -c[j];
                    }
                }
                hits += sum >= observed - 1e-9 ? 1 : 0;
            }
            return (1 + hits) / (1.0 + FLIPS);
        }

        /** The one-sided 95% lower and upper bounds. */
        List<Double> bounds() {
            if (n() == 0) {
                return null;
            }
            double q = se == 0 ? 0 : t().inverseCumulativeProbability(1 - Breach.ALPHA) * se;
            return List.of(mean - q, mean + q);
        }

        private TDistribution t() {
            return new TDistribution(null, n() - 1);
        }
    }
}
