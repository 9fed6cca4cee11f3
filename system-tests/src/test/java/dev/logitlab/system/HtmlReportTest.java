package dev.logitlab.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.cli.report.ExperimentReport;
import dev.logitlab.cli.report.HtmlReport;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.evaluation.AttackStrengthGap;
import dev.logitlab.core.evaluation.Breach;
import dev.logitlab.core.evaluation.BreachOverSeeds;
import dev.logitlab.core.evaluation.Evaluation;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.core.train.TrainingListener;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.ReportPublished;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report in a real headless Chromium (Debian's {@code chromium}): built from real evaluations of two tiny
 * trained models at ℓ∞ and ℓ2 budgets, opened from disk with the network off, it must run without console errors and draw every plot.
 */
class HtmlReportTest {

    static final List<String> PLOTS = List.of("accuracy", "eps-per-attack", "epochs", "epochs-per-run", "logit-gap",
            "gradient-gap", "predicted-vs-actual", "cosine", "masking");

    @TempDir
    Path dir;

    @Test
    void theReportRendersEveryPlotWithoutConsoleErrors() throws Exception {
        Path html = HtmlReport.write(experiment(), dir.resolve("report"));
        assertTrue(Files.isRegularFile(dir.resolve("report/report.json")));
        String page = Files.readString(html);
        assertFalse(page.contains("<script src="), "the page must be self-contained");
        for (String plot : PLOTS) {
            assertTrue(page.contains("data-plot=\"" + plot + "\""), plot);
        }

        Chromium.Result result = Chromium.dumpDom(html, dir.resolve("profile"));
        String dom = result.dom().replaceAll("(?s)<script>.*?</script>", ""); // the page, not its code
        assertTrue(dom.contains("data-ready=\"true\""), "the page script ran to the end:\n" + result.log());
        assertTrue(dom.contains("data-errors=\"0\""), "console errors:\n" + result.log());
        assertFalse(result.log().contains("Uncaught"), result.log());
        List<String> canvases = matches(dom, "<canvas id=\"([^\"]+)\"[^>]*>");
        List<String> rendered = matches(dom, "<canvas id=\"([^\"]+)\"[^>]*data-rendered=\"true\"");
        assertEquals(6 + 2 * 2 + 2, canvases.size(),
                "six fixed charts, one ε chart per defense and norm, one over-epochs chart per defense: " + canvases);
        assertTrue(dom.contains("<th>robust ε=0.1</th>") && dom.contains("<th>robust ℓ2 ε=1</th>"),
                "the summary names the norm of every budget");
        assertEquals(canvases, rendered, "every chart was drawn");
        assertEquals(2 * dev.logitlab.core.analysis.MaskingCheck.values().length,
                matches(dom, "<td class=\"(pass|fail)\">(pass|FAIL)</td>").size(), "every check per defense");
    }

    @Test
    void theBreachSectionShowsEverySeedAndTheVerdictOverSeeds() throws Exception {
        // plain and one defense, two seeds on 400 images: the defense gains 100 images under the weak evaluation
        // and none under the full suite in both seeds, which is the breach, per seed and over the seeds
        AttackStrengthGap plain = gap(ones(100, 400), ones(80, 400));
        AttackStrengthGap clp = gap(ones(200, 400), ones(80, 400));
        List<ExperimentReport.WeakAgainstFull> seeds = new ArrayList<>();
        for (long seed : List.of(1L, 2L)) {
            seeds.add(new ExperimentReport.WeakAgainstFull("plain-s" + seed, "plain", "pgd", "full", plain.rows(),
                    List.of(), seed, 0.8, null));
            seeds.add(new ExperimentReport.WeakAgainstFull("clp-s" + seed, "clp=0.5", "pgd", "full", clp.rows(),
                    List.of(), seed, 0.79, Breach.of(clp, plain).rows()));
        }
        List<BreachOverSeeds> pooled = BreachOverSeeds.judge(Map.of("clp=0.5", List.of(
                new BreachOverSeeds.Seed(clp, plain), new BreachOverSeeds.Seed(clp, plain))));
        ExperimentReport base = experiment();
        ExperimentReport report = new ExperimentReport(base.experiment(), base.createdAt(), base.runs(), seeds, pooled);

        Chromium.Result result = Chromium.dumpDom(HtmlReport.write(report, dir.resolve("breach")),
                dir.resolve("breach-profile"));
        String dom = result.dom().replaceAll("(?s)<script>.*?</script>", "");
        assertTrue(dom.contains("data-errors=\"0\""), "console errors:\n" + result.log());
        String section = dom.substring(dom.indexOf("data-part=\"breach-section\""), dom.indexOf("<h2>Summary</h2>"));
        assertFalse(section.startsWith("data-part=\"breach-section\" hidden"), "the section is shown");
        assertEquals(2, matches(section, "<td>(clp=0.5)</td><td>[12]</td>").size(), "one row per seed");
        assertEquals(2, matches(section, "<td>(\\+0\\.250 \\(&lt;0\\.001\\))</td>").size(), "weak − plain, p");
        assertEquals(3, matches(section, "<td>(shown)</td>").size(), "per seed and over seeds");
        assertTrue(section.contains("<td>2 of 2</td>"), "the seeds that trained");
    }

    private static String ones(int robust, int of) {
        return "1".repeat(robust) + "0".repeat(of - robust);
    }

    /** One model's weak and full evaluations from per-example outcomes on one budget. */
    private static AttackStrengthGap gap(String weak, String full) {
        return AttackStrengthGap.of(outcomes(weak), outcomes(full));
    }

    private static EvaluationReport outcomes(String robust) {
        double accuracy = robust.chars().filter(c -> c == '1').count() / (double) robust.length();
        return new EvaluationReport(EvaluationReport.SCHEMA, "m", "synthetic", robust.length(), 1, 0.8, List.of(),
                List.of(new EvaluationReport.WorstCase("linf", 0.1, accuracy, robust, List.of(0.0, 1.0), null, null)),
                null, new EvaluationReport.Masking(false, List.of()));
    }

    /** Two defenses, two epochs each, every checkpoint really trained and evaluated (synthetic data, tiny plan). */
    private ExperimentReport experiment() {
        TrainTestSplit data = Datasets.load("synthetic", null);
        List<ExperimentReport.Run> runs = new ArrayList<>();
        for (String defense : List.of("plain", "ls=0.5,gn=0.1")) {
            TrainingConfig config = new TrainingConfig("synthetic", "small-cnn", defense, 2, 600, 100, 50, 1e-3, "adam", 0);
            List<ReportPublished> reports = new ArrayList<>();
            new Training(config, defense, dir.resolve(defense), new TrainingListener() {
                @Override
                public void onCheckpoint(dev.logitlab.core.checkpoint.Checkpoint c) {
                    try (Classifier model = Classifiers.open(c.directory())) {
                        EvaluationPlan plan = new EvaluationPlan(List.of(0.05, 0.1), List.of(1.0),
                                "fgsm,pgd:steps=3,noise:draws=2", 40, 0, 20);
                        reports.add(new ReportPublished(1, defense, c.manifest().checkpointId(), c.manifest().epoch(),
                                c.manifest().configHash(), 0, defense,
                                new Evaluation(model, data.test(), plan, null, null).run(c.manifest().checkpointId())));
                    }
                }
            }).run(data);
            runs.add(ExperimentReport.run(defense, defense, reports));
        }
        return new ExperimentReport("test-experiment", "2026-11-24T00:00:00Z", runs);
    }

    private static List<String> matches(String text, String regex) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** Debian's Chromium, headless, with its background networking off (this machine has no network). */
    static final class Chromium {
        record Result(String dom, String log) {
        }

        static Result dumpDom(Path html, Path profile) throws Exception {
            Path binary = Path.of("/usr/bin/chromium");
            if (!Files.isExecutable(binary)) {
                throw new AssertionError("this test needs Debian's chromium (apt-get install chromium); "
                        + "./lab test installs it when run as root");
            }
            Path log = profile.resolveSibling("chromium.log");
            Process process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--disable-quic", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                    "--virtual-time-budget=10000", "--dump-dom", html.toUri().toString())
                    .redirectError(log.toFile()).start();
            String dom = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("chromium did not finish in 120 s");
            }
            return new Result(dom, Files.readString(log));
        }
    }
}
