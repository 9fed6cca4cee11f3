package dev.logitlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.logitlab.core.Json;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.evaluation.Evaluation;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelSession;
import dev.logitlab.events.EvaluationReport;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where {@code compare} and {@code gate} get a report from: a report file ({@code ./lab evaluate --json}, or a report
 * event as the analysis service serves it), a checkpoint directory or TorchScript file evaluated here with the options
 * below (a TorchScript file in its sandbox, {@link ModelOptions}), or a checkpoint id whose report the analysis
 * service holds.
 */
final class ReportSource {

    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "for models evaluated here (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--eps", defaultValue = "0.1", split = ",", description = "for models evaluated here: ℓ∞ budgets")
    List<Double> eps;

    @Option(names = "--eps-l2", split = ",", description = "for models evaluated here: ℓ2 budgets")
    List<Double> epsL2;

    @Option(names = "--attacks", defaultValue = "default", description = "for models evaluated here: attack spec or suite")
    String attacks;

    @Option(names = "--limit", defaultValue = "500", description = "for models evaluated here: test images")
    int limit;

    @Option(names = "--seed", defaultValue = "0", description = "for models evaluated here: seed")
    long seed;

    @Mixin
    ModelOptions models = new ModelOptions();

    @Option(names = "--analysis-url", description = "for checkpoint ids: default $LOGITLAB_ANALYSIS_URL, else the local stack's")
    String analysisUrl;

    @Option(names = "--token", description = "for checkpoint ids: default $LOGITLAB_TOKEN, else one of the local stack's")
    String token;

    /** The report {@code source} names; {@link IllegalArgumentException} saying why when there is none. */
    EvaluationReport load(String source) throws Exception {
        Path path = Path.of(source);
        if (Files.isRegularFile(path) && source.endsWith(".json")) {
            JsonNode node = Json.MAPPER.readTree(path.toFile());
            return Json.MAPPER.treeToValue(node.has("report") ? node.get("report") : node, EvaluationReport.class);
        }
        if (Files.exists(path)) {
            EvaluationPlan plan = new EvaluationPlan(eps, epsL2, attacks, limit, seed, 0);
            try (ModelSession model = models.open(path, null, Datasets.load(dataset, null).test(), null, plan)) {
                return new Evaluation(model, null).run(model.description());
            }
        }
        if (source.contains("/") && !source.startsWith(".") && !source.startsWith("/")) {
            return fetch(source);
        }
        throw new IllegalArgumentException(source + " is neither a report (.json), a model, nor a checkpoint id "
                + "(<run>/epoch-NNN or <run>/step-NNNNNN)");
    }

    private EvaluationReport fetch(String checkpointId) throws Exception {
        AnalysisClient analysis = AnalysisClient.of(analysisUrl, token);
        HttpResponse<String> response = analysis.get(AnalysisClient.reportPath(checkpointId), "application/json");
        if (response.statusCode() == 404) {
            throw new IllegalArgumentException("no report for checkpoint " + checkpointId + " at " + analysis.baseUrl());
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the analysis service answered " + response.statusCode() + ": "
                    + ProblemDetails.detail(response.body()));
        }
        JsonNode event = Json.MAPPER.readTree(response.body());
        if (!event.has("report")) {
            throw new IllegalArgumentException("checkpoint " + checkpointId + " has no report yet"
                    + (event.has("reason") ? ": its evaluation failed: " + event.get("reason").asText() : ""));
        }
        return Json.MAPPER.treeToValue(event.get("report"), EvaluationReport.class);
    }
}
