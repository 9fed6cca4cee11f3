package dev.logitlab.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.cli.report.ExperimentReport;
import dev.logitlab.cli.report.HtmlReport;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.evaluation.Evaluation;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.core.train.TrainingListener;
import dev.logitlab.events.ReportPublished;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
