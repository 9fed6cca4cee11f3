package dev.logitlab.cli.demo;

import dev.logitlab.cli.report.ExperimentReport;
import dev.logitlab.cli.report.HtmlReport;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.evaluation.AttackStrengthGap;
import dev.logitlab.core.evaluation.Breach;
import dev.logitlab.core.evaluation.BreachOverSeeds;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.NetworkClassifier;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.core.train.TrainingListener;
import dev.logitlab.core.train.TrainingProgress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./lab demo --experiment logit-pairing}: the seed's third paper (Mosbach, Andriushchenko, Trost, Hein, Klakow
 * 2018, "Logit Pairing Methods Can Fool Gradient-Based Attacks") on Fashion-MNIST. Plain training, CLP, CLP with
 * Gaussian noise, Kannan's logit squeezing with noise, ALP and PGD-AT, at the papers' weights and for several seeds,
 * each judged twice: under the weak evaluation the pairing papers ran (their PGD scaled to ε = 0.1) and under the full
 * suite, with the breach tested example by example against plain training of the same seed ({@link Breach}). It runs
 * in one process, like {@code ./lab evaluate}: the point is the comparison, not the services.
 */
public final class LogitPairingExperiment {

    /**
     * The papers' PGD (Mosbach et al.'s code, after Madry et al.'s MNIST setting: ε = 0.3, 40 steps of 0.01 = ε/30,
     * a random start, cross-entropy), scaled to ε = 0.1: 40 steps of 0.00333, one start. Its steps add up to 1.33 ε.
     */
    static final String WEAK = "pgd:steps=40:step=0.0033333:restarts=1";

    private final PrintWriter out;

    public LogitPairingExperiment(PrintWriter out) {
        this.out = out;
    }

    /** What the experiment trains and how it judges: the data, the defenses, both evaluations and the seeds. */
    public record Settings(String dataset, String model, List<String> defenses, int epochs, int trainLimit,
                           List<Double> eps, int limit, String weak, String full, int gaps, List<Long> seeds) {

        /**
         * The papers' weights (penalties as their code computes them): Mosbach et al.'s logit squeezing, λ = 0.5 with
         * Gaussian noise σ = 0.5 clipped to [0, 1] (their train.py's defaults), CLP at the same λ with and without that
         * noise, ALP at Kannan et al.'s 0.5; plain training, the noise alone (to tell its share of any gain) and PGD-AT
         * beside them.
         */
        public static Settings of(boolean quick) {
            String pgd = quick ? ":steps=3" : "";
            return new Settings("fashion-mnist", "small-cnn", List.of("plain", "gn=0.5:clip=1", "clp=0.5",
                    "clp=0.5,gn=0.5:clip=1", "lsqk=0.5,gn=0.5:clip=1", "alp=0.5" + pgd, "at=0.1" + pgd), quick ? 2 : 3, quick ? 5000 : 20000,
                    List.of(0.1), quick ? 150 : 500, WEAK,
                    quick ? "fgsm,pgd,pgd-margin,apgd-ce:steps=20,square:queries=300,noise:draws=10"
                            : "fgsm,pgd,pgd-margin,apgd-ce:steps=50,apgd-dlr:steps=50,square:queries=1000,noise:draws=10",
                    quick ? 50 : 100, List.of(1L, 2L, 3L));
        }
    }

    public Path run(Settings s, Path reportsDir, Path dataDir) {
        String id = "logit-pairing-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = reportsDir.resolve(id);
        TrainTestSplit data = Datasets.load(s.dataset(), dataDir);
        List<ExperimentReport.Run> runs = new ArrayList<>();
        List<ExperimentReport.WeakAgainstFull> comparisons = new ArrayList<>();
        Map<String, List<BreachOverSeeds.Seed>> seeds = new LinkedHashMap<>();
        out.printf("experiment %s: %d defenses × %d seeds, each judged by %s and by the full suite (%s), ε = %s, "
                + "%d test images%n", id, s.defenses().size(), s.seeds().size(), s.weak(), s.full(), s.eps(), s.limit());
        for (long seed : s.seeds()) {
            EvaluationPlan weak = new EvaluationPlan(s.eps(), s.weak(), s.limit(), seed, 0);
            EvaluationPlan full = new EvaluationPlan(s.eps(), s.full(), s.limit(), seed, s.gaps());
            AttackStrengthGap plain = null;
            for (String defense : s.defenses()) {
                TrainingConfig config = new TrainingConfig(s.dataset(), s.model(), defense, s.epochs(), s.trainLimit(),
                        1000, 128, 1e-3, "adam", seed);
                String runId = defense.replaceAll("[^a-z0-9.]+", "-") + "-s" + seed;
                Checkpoint last = new Training(config, runId, dir.resolve("checkpoints").resolve(runId),
                        progress(defense)).run(data).lastCheckpoint();
                AttackStrengthGap gap;
                try (Classifier model = new NetworkClassifier(last.network(), last.manifest().checkpointId())) {
                    gap = AttackStrengthGap.evaluate(model, data.test(), weak, full, null);
                }
                if (defense.equals("plain")) {
                    plain = gap;
                } else if (plain != null) {
                    seeds.computeIfAbsent(defense, d -> new ArrayList<>()).add(new BreachOverSeeds.Seed(gap, plain));
                }
                List<Breach.Row> breach = plain == null || gap == plain ? null : Breach.of(gap, plain).rows();
                var row = gap.rows().get(0);
                out.printf(Locale.ROOT, "  %-18s seed %d: weak %.3f, full suite %.3f%n", defense, seed, row.weak(),
                        row.full());
                out.flush();
                runs.add(new ExperimentReport.Run(runId, defense, List.of(ExperimentReport.Checkpoint.of(
                        last.manifest().epoch(), last.manifest().checkpointId(), gap.full()))));
                comparisons.add(new ExperimentReport.WeakAgainstFull(runId, defense, s.weak(), s.full(), gap.rows(),
                        gap.weak().masking().checks().stream().filter(c -> !c.passed()).toList(), seed,
                        gap.full().cleanAccuracy(), breach));
            }
        }
        List<BreachOverSeeds> overSeeds = BreachOverSeeds.judge(seeds);
        ExperimentReport report = new ExperimentReport(id, Instant.now().toString(), runs, comparisons, overSeeds);
        new BreachTable(out).print(comparisons, overSeeds, s);
        return HtmlReport.write(report, dir);
    }

    private TrainingListener progress(String defense) {
        return new TrainingListener() {
            @Override
            public void onProgress(TrainingProgress p) {
            }

            @Override
            public void onCheckpoint(Checkpoint c) {
                out.printf(Locale.ROOT, "  %-18s epoch %d: clean accuracy %.3f, %,.0f img/s%n", defense,
                        c.manifest().epoch(), c.manifest().metrics().cleanAccuracy(),
                        c.manifest().metrics().trainImagesPerSecond());
                out.flush();
            }
        };
    }
}
