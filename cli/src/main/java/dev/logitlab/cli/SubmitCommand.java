package dev.logitlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.logitlab.cli.stack.LocalTokens;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.core.Json;
import dev.logitlab.events.Roles;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./lab submit}: the line a PyTorch project adds to its CI. Uploads a TorchScript file to the trainer
 * ({@code POST /api/checkpoints}), and with {@code --wait} waits for the analysis service's report, prints the table
 * {@code ./lab evaluate} prints, and exits 1 when the report failed.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Upload a TorchScript model (input N×C×H×W floats in [0, 1], output logits) to be judged by the "
                + "services like a checkpoint of their own; with --wait, print its report.",
                "  ./lab submit model.pt --run my-resnet --step 3 --dataset cifar10 --eps 0.03 --wait"},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:uploaded (and, with --wait, reported)", "1:refused, failed or not reported in time",
            "2:usage error"})
final class SubmitCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.pt", description = "the TorchScript file (torch.jit.script(model).save)")
    Path model;

    @Option(names = "--run", required = true, description = "run id: letters, digits, '.', '_', '-', '~' (your project, branch…); "
            + "<you>~<name> is a name only you can take")
    String run;

    @Option(names = "--step", required = true, description = "the checkpoint's step or epoch, ≥ 1")
    int step;

    @Option(names = "--dataset", required = true, description = "fashion-mnist, mnist or cifar10 (its test split)")
    String dataset;

    @Option(names = "--eps", defaultValue = "0.1", split = ",", description = "ℓ∞ budgets (default: ${DEFAULT-VALUE})")
    List<Double> eps;

    @Option(names = "--eps-l2", split = ",", description = "ℓ2 budgets (default: none)")
    List<Double> epsL2;

    @Option(names = "--attacks", defaultValue = "default", description = "attack spec or suite (default: ${DEFAULT-VALUE})")
    String attacks;

    @Option(names = "--limit", defaultValue = "500", description = "test images attacked (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--gaps", defaultValue = "200", description = "examples for gap statistics (default: ${DEFAULT-VALUE})")
    int gaps;

    @Option(names = "--seed", defaultValue = "0", description = "seed of every random start (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--label", description = "how reports name the model (default: external)")
    String label;

    @Option(names = "--baseline", description = "what the verdict compares with: a checkpoint id, or 'best' (the run's "
            + "best so far)")
    String baseline;

    @Option(names = "--max-drop", description = "the verdict's margin in [0, 1] (default: 0.01)")
    Double maxDrop;

    @Option(names = "--wait", description = "wait for the report and print it")
    boolean waitForReport;

    @Option(names = "--timeout", defaultValue = "60m", converter = TtlConverter.class,
            description = "how long --wait waits (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--json", description = "with --wait: write the report (logitlab.evaluation/v1) here")
    Path json;

    @Option(names = "--trainer-url", description = "default: $LOGITLAB_TRAINER_URL, else the local stack's")
    String trainerUrl;

    @Option(names = "--analysis-url", description = "default: $LOGITLAB_ANALYSIS_URL, else the local stack's")
    String analysisUrl;

    @Option(names = "--token", description = "bearer token (default: $LOGITLAB_TOKEN, else one signed with the local "
            + "stack's key)")
    String token;

    @Option(names = "--home", description = "state directory of the local stack (default: <repo>/.lab)")
    Path home;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(model)) {
            err.println("error: " + model + " is not a file");
            return 2;
        }
        // The stack under --home, at the ports it was started on (seen: a stack on other ports got the default ones).
        StackConfig local = home == null ? StackConfig.current() : StackConfig.recorded(StackConfig.defaults()
                .repository(), home.toAbsolutePath()).orElse(StackConfig.current());
        String bearer = token != null ? token : System.getenv("LOGITLAB_TOKEN");
        if (bearer == null) {
            // A submitter may also read reports: one token does both.
            bearer = new LocalTokens(home != null ? home.toAbsolutePath() : local.home())
                    .token(System.getProperty("user.name", "ci"), Duration.ofHours(2), Roles.SUBMITTER);
        }
        String trainer = first(trainerUrl, System.getenv("LOGITLAB_TRAINER_URL"), local.url("trainer"));
        String analysis = first(analysisUrl, System.getenv("LOGITLAB_ANALYSIS_URL"), local.url("analysis"));

        HttpResponse<String> uploaded;
        try {
            uploaded = http.send(HttpRequest.newBuilder(URI.create(trainer + "/api/checkpoints?" + query()))
                    .header("Authorization", "Bearer " + bearer)
                    .header("Content-Type", "application/octet-stream").timeout(Duration.ofMinutes(10))
                    .POST(HttpRequest.BodyPublishers.ofFile(model)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            err.println("error: no trainer answers at " + trainer + " (start the stack with ./lab stack up, or give "
                    + "--trainer-url or --home)");
            return 1;
        }
        if (uploaded.statusCode() != 200 && uploaded.statusCode() != 201) {
            err.println("error: the trainer refused the upload (" + uploaded.statusCode() + "): " + ProblemDetails.detail(uploaded.body()));
            return 1;
        }
        JsonNode stored = Json.MAPPER.readTree(uploaded.body());
        String checkpointId = stored.get("checkpointId").asText();
        out.printf("%s %s (sha256 %s, %,d bytes)%n", uploaded.statusCode() == 201 ? "uploaded" : "already there:",
                checkpointId, stored.get("sha256").asText().substring(0, 12), stored.get("bytes").asLong());
        if (!waitForReport) {
            out.println("report: " + analysis + "/api/reports/" + checkpointId);
            return 0;
        }
        return new ReportWaiter(http, analysis, bearer).await(checkpointId, timeout,
                report -> {
                    new EvaluationSummary(out).print(report);
                    if (json != null) {
                        Json.PRETTY.writeValue(json.toFile(), report);
                        out.println("report: " + json.toAbsolutePath());
                    }
                }, err);
    }

    private String query() {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("runId", run);
        q.put("step", step);
        q.put("dataset", dataset);
        q.put("eps", eps.stream().map(String::valueOf).collect(Collectors.joining(",")));
        if (epsL2 != null && !epsL2.isEmpty()) {
            q.put("epsL2", epsL2.stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        q.put("attacks", attacks);
        q.put("limit", limit);
        q.put("gaps", gaps);
        q.put("seed", seed);
        if (label != null) {
            q.put("label", label);
        }
        if (baseline != null) {
            q.put("baseline", baseline);
        }
        if (maxDrop != null) {
            q.put("maxDrop", maxDrop);
        }
        return q.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(String.valueOf(e.getValue()),
                StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
            }
        }
        throw new IllegalStateException("no URL");
    }
}
