package dev.logitlab.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.CollectionType;
import dev.logitlab.cli.report.ExperimentReport;
import dev.logitlab.cli.report.HtmlReport;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.LocalTokens;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.events.Roles;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.ReportPublished;
import dev.logitlab.events.RunSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Submits the experiment over REST, shows progress until every checkpoint is reported, writes the report. */
public final class DemoRunner {

    private static final Duration TIMEOUT = Duration.ofMinutes(60);
    /** The last report is seen within a second of its publication; a log gets a line only every few seconds. */
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration LINE_EVERY = Duration.ofSeconds(5);

    private final StackConfig config;
    private final PrintWriter out;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    /** The demo submits and reads as the local user, with a token of the stack's own issuer. */
    private final String authorization;

    public DemoRunner(StackConfig config, PrintWriter out) {
        this.config = config;
        this.out = out;
        this.authorization = "Bearer " + new LocalTokens(config.home()).token(System.getProperty("user.name", "local"),
                TIMEOUT.plusMinutes(10), Roles.SUBMITTER);
    }

    /** Submits the experiment, then waits for {@code servicesReady} (the rest of a stack still starting) and the reports. */
    public Path run(boolean quick, Path reportsDir, Runnable servicesReady) throws Exception {
        String id = "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Experiment experiment = Experiment.defaults(id, quick);
        Map<String, RunSpec> runs = new LinkedHashMap<>();
        try (RunWatcher watcher = new RunWatcher(config.kafkaClient())) {
            Map<RunSpec, String> ids = new java.util.IdentityHashMap<>();
            for (RunSpec spec : experiment.submissionOrder()) {
                ids.put(spec, submit(spec));
            }
            experiment.runs().forEach(spec -> runs.put(ids.get(spec), spec)); // shown in the experiment's order
            servicesReady.run();
            out.printf("experiment %s: %d runs submitted to %s; watch them live at %s%n", id, runs.size(),
                    config.url("trainer"), new LocalStack(config, out).dashboardUrl());
            Map<String, List<ReportPublished>> reports = await(runs, watcher);
            List<ExperimentReport.Run> results = new ArrayList<>();
            runs.forEach((runId, spec) -> results.add(ExperimentReport.run(runId, spec.defense(), reports.get(runId))));
            ExperimentReport report = new ExperimentReport(id, Instant.now().toString(), results);
            printSummary(report);
            dev.logitlab.cli.Timelines.print(out, "where the time went, summed over the checkpoints",
                    reports.values().stream().flatMap(List::stream).map(ReportPublished::report).toList());
            return HtmlReport.write(report, reportsDir.resolve(id));
        }
    }

    private String submit(RunSpec spec) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(config.url("trainer") + "/api/runs"))
                .header("Content-Type", "application/json").header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(spec))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("the trainer refused " + spec.defense() + ": " + response.body());
        }
        return json.readTree(response.body()).get("runId").asText();
    }

    /**
     * Shows progress every second until each run has a report per epoch (or failed): a progress bar over the
     * expected reports on a terminal, a line every few seconds and at each new report otherwise (logs, CI).
     */
    private Map<String, List<ReportPublished>> await(Map<String, RunSpec> runs, RunWatcher watcher) throws Exception {
        int expected = runs.values().stream().mapToInt(RunSpec::epochs).sum();
        if (System.console() == null) {
            return await(runs, watcher, expected, null);
        }
        try (ProgressBar bar = new ProgressBarBuilder()
                .setTaskName("demo").setInitialMax(expected).setUnit(" reports", 1)
                .setStyle(ProgressBarStyle.ASCII).setMaxRenderedLength(160).build()) {
            return await(runs, watcher, expected, bar);
        }
    }

    private Map<String, List<ReportPublished>> await(Map<String, RunSpec> runs, RunWatcher watcher, int expected,
                                                     ProgressBar bar) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Map<String, List<ReportPublished>> reports = new LinkedHashMap<>();
        long lastLine = 0;
        int lastDone = -1;
        while (true) {
            int done = 0;
            StringBuilder line = new StringBuilder();
            boolean finished = true;
            for (Map.Entry<String, RunSpec> run : runs.entrySet()) {
                int published = Math.min(watcher.published(run.getKey()), run.getValue().epochs());
                List<ReportPublished> got = reports.getOrDefault(run.getKey(), List.of());
                if (published == run.getValue().epochs() && got.size() < published) {
                    got = reports(run.getKey()); // once, when the run's last report is in
                    reports.put(run.getKey(), got);
                }
                int reported = Math.max(published, got.size());
                done += reported;
                RunWatcher.State state = watcher.state(run.getKey());
                boolean failed = state != null && state.kind().equals("failed");
                if (failed) {
                    throw new IllegalStateException("run " + run.getValue().defense() + " failed: " + state.reason());
                }
                finished &= got.size() == run.getValue().epochs();
                line.append(String.format(Locale.ROOT, "%s %s | ", run.getValue().defense(), describe(state, reported,
                        run.getValue().epochs())));
            }
            if (bar != null) {
                bar.stepTo(done);
                bar.setExtraMessage(line.substring(0, line.length() - 3));
            } else if (done != lastDone || System.nanoTime() - lastLine >= LINE_EVERY.toNanos()) {
                out.printf(Locale.ROOT, "[%3d%% reported] %s%n", 100 * done / expected, line.substring(0, line.length() - 3));
                out.flush();
                lastLine = System.nanoTime();
                lastDone = done;
            }
            if (finished) {
                return reports;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the experiment did not finish within " + TIMEOUT.toMinutes() + " min");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static String describe(RunWatcher.State state, int reported, int epochs) {
        if (reported == epochs) {
            return "done";
        }
        if (state == null || state.progress() == null) {
            return "queued";
        }
        if (state.kind().equals("completed")) {
            return "attacking " + reported + "/" + epochs;
        }
        int percent = (int) Math.round(100 * state.progress().fraction());
        String bar = "#".repeat(percent / 10) + ".".repeat(10 - percent / 10);
        return String.format(Locale.ROOT, "training [%s] %d%% %.0f img/s", bar, percent,
                state.progress().imagesPerSecond());
    }

    private List<ReportPublished> reports(String runId) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create(config.url("analysis") + "/api/runs/" + runId + "/reports"))
                        .header("Authorization", authorization).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return List.of();
        }
        CollectionType type = json.getTypeFactory().constructCollectionType(List.class, ReportPublished.class);
        return json.readValue(response.body(), type);
    }

    private void printSummary(ExperimentReport report) {
        List<String> budgets = report.runs().get(0).checkpoints().get(0).worstCase().stream()
                .map(EvaluationReport.WorstCase::budget).toList();
        out.printf("%n%-18s %6s", "defense", "clean");
        budgets.forEach(b -> out.printf(" %9s", b));
        out.printf(" %10s %10s %13s%n", "masking", "logit gap", "gradient gap");
        for (ExperimentReport.Run run : report.runs()) {
            ExperimentReport.Checkpoint last = run.checkpoints().get(run.checkpoints().size() - 1);
            out.printf(Locale.ROOT, "%-18s %6.3f", run.defense(), last.cleanAccuracy());
            last.worstCase().forEach(w -> out.printf(Locale.ROOT, " %9.3f", w.robustAccuracy()));
            out.printf(Locale.ROOT, " %10s %10.3f %13.3f%n", last.masking().suspected() ? "SUSPECTED" : "no",
                    last.gaps() == null ? Double.NaN : last.gaps().logitGapMedian(),
                    last.gaps() == null ? Double.NaN : last.gaps().gradientGapL1Median());
        }
        out.println("(ε columns: worst-case robust accuracy over every attack; gaps: medians of Eq. 4's terms)");
        out.flush();
    }
}
