package dev.logitlab.cli.demo;

import dev.logitlab.cli.report.ExperimentReport;
import dev.logitlab.cli.report.HtmlReport;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.evaluation.AttackStrengthGap;
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
import java.util.List;
import java.util.Locale;

/**
 * {@code ./lab demo --experiment logit-pairing}: the seed's third paper (Mosbach, Andriushchenko, Trost, Hein, Klakow
 * 2018, "Logit Pairing Methods Can Fool Gradient-Based Attacks") on Fashion-MNIST. Plain training, CLP, CLP with
 * Gaussian noise, Kannan's logit squeezing with noise, ALP and PGD-AT, each judged twice: under a weak configuration of
 * the kind the pairing papers reported (PGD, few steps, one start, cross-entropy) and under the full suite. It runs in
 * one process, like {@code ./lab evaluate}: the point is the comparison, not the services.
 */
public final class LogitPairingExperiment {

    /** The weak configuration: 5 steps of cross-entropy PGD from one random start. */
    static final String WEAK = "pgd:steps=5:restarts=1";

    private final PrintWriter out;

    public LogitPairingExperiment(PrintWriter out) {
        this.out = out;
    }

    /** What the experiment trains and how it judges: the data, the defenses and both attack configurations. */
    public record Settings(String dataset, String model, List<String> defenses, int epochs, int trainLimit,
                           List<Double> eps, int limit, String weak, String full, int gaps) {

        public static Settings of(boolean quick) {
            String pgd = quick ? ":steps=3" : "";
            return new Settings("fashion-mnist", "small-cnn", List.of("plain", "clp=0.5", "clp=0.5,gn=0.3",
                    "lsqk=0.05,gn=0.3", "alp=0.5" + pgd, "at=0.1" + pgd), quick ? 2 : 3, quick ? 5000 : 20000,
                    List.of(0.1), quick ? 150 : 500, WEAK,
                    quick ? "fgsm,pgd,pgd-margin,apgd-ce:steps=20,square:queries=300,noise:draws=10"
                            : "fgsm,pgd,pgd-margin,apgd-ce:steps=50,apgd-dlr:steps=50,square:queries=1000,noise:draws=10",
                    quick ? 50 : 100);
        }
    }

    public Path run(Settings s, Path reportsDir, Path dataDir) {
        String id = "logit-pairing-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = reportsDir.resolve(id);
        TrainTestSplit data = Datasets.load(s.dataset(), dataDir);
        EvaluationPlan weak = new EvaluationPlan(s.eps(), s.weak(), s.limit(), 0, 0);
        EvaluationPlan full = new EvaluationPlan(s.eps(), s.full(), s.limit(), 0, s.gaps());
        List<ExperimentReport.Run> runs = new ArrayList<>();
        List<ExperimentReport.WeakAgainstFull> comparisons = new ArrayList<>();
        out.printf("experiment %s: %d defenses, each judged by %s and by the full suite (%s), ε = %s, %d test images%n",
                id, s.defenses().size(), s.weak(), s.full(), s.eps(), s.limit());
        for (String defense : s.defenses()) {
            TrainingConfig config = new TrainingConfig(s.dataset(), s.model(), defense, s.epochs(), s.trainLimit(),
                    1000, 128, 1e-3, "adam", 0);
            String runId = defense.replaceAll("[^a-z0-9.]+", "-");
            Checkpoint last = new Training(config, runId, dir.resolve("checkpoints").resolve(runId), progress(defense))
                    .run(data).lastCheckpoint();
            AttackStrengthGap gap;
            try (Classifier model = new NetworkClassifier(last.network(), last.manifest().checkpointId())) {
                gap = AttackStrengthGap.evaluate(model, data.test(), weak, full, null);
            }
            var row = gap.rows().get(0);
            out.printf(Locale.ROOT, "  %-18s weak %.3f (%s), full suite %.3f (%s)%n", defense, row.weak(),
                    verdict(row.weakSuspected(), row.weakIndicators()), row.full(),
                    verdict(row.fullSuspected(), row.fullIndicators()));
            out.flush();
            runs.add(new ExperimentReport.Run(runId, defense, List.of(ExperimentReport.Checkpoint.of(
                    last.manifest().epoch(), last.manifest().checkpointId(), gap.full()))));
            comparisons.add(new ExperimentReport.WeakAgainstFull(runId, defense, s.weak(), s.full(), gap.rows(),
                    gap.weak().masking().checks().stream().filter(c -> !c.passed()).toList()));
        }
        ExperimentReport report = new ExperimentReport(id, Instant.now().toString(), runs, comparisons);
        printTable(comparisons, s);
        return HtmlReport.write(report, dir);
    }

    private void printTable(List<ExperimentReport.WeakAgainstFull> comparisons, Settings s) {
        out.printf("%n%-18s %8s %8s %8s %6s  %-30s %s%n", "defense", "weak", "full", "lost", "share",
                "weak evaluation's verdict", "full suite's verdict");
        for (ExperimentReport.WeakAgainstFull c : comparisons) {
            for (AttackStrengthGap.Row r : c.rows()) {
                out.printf(Locale.ROOT, "%-18s %8.3f %8.3f %8.3f %5.0f%%  %-30s %s%n", c.defense(), r.weak(), r.full(),
                        r.lost(), 100 * r.lostShare(), verdict(r.weakSuspected(), r.weakIndicators()),
                        verdict(r.fullSuspected(), r.fullIndicators()));
            }
        }
        out.println("(weak: " + s.weak() + ", cross-entropy; full: the suite's worst case per example; lost: robust accuracy "
                + "the weak configuration claimed and the full suite took away)");
        out.flush();
    }

    private static String verdict(boolean suspected, List<String> indicators) {
        return suspected ? "SUSPECTED: " + String.join(", ", indicators) : "not suspected";
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
