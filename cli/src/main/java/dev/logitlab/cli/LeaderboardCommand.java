package dev.logitlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.logitlab.core.Json;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./lab leaderboard}: every run's best checkpoint, ranked only among runs judged under the same protocol. */
@Command(name = "leaderboard", mixinStandardHelpOptions = true,
        description = "Print the analysis service's leaderboard: one row per run (its best checkpoint), ranked by "
                + "worst-case robust accuracy within each protocol (data set, examples, budgets, attack suite), with "
                + "95%% intervals; '≈' marks a row that a paired test (McNemar, Holm over the rows) cannot tell from "
                + "the leader. A best chosen among several checkpoints is reported on the held-out half.")
final class LeaderboardCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--csv", description = "also write it as CSV here")
    Path csv;

    @Option(names = "--json", description = "also write it as JSON here")
    Path json;

    @Option(names = "--analysis-url", description = "default: $LOGITLAB_ANALYSIS_URL, else the local stack's")
    String analysisUrl;

    @Option(names = "--token", description = "default: $LOGITLAB_TOKEN, else one of the local stack's")
    String token;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        AnalysisClient analysis = AnalysisClient.of(analysisUrl, token);
        HttpResponse<String> response = analysis.get("/api/leaderboard", "application/json");
        if (response.statusCode() != 200) {
            spec.commandLine().getErr().println("error: the analysis service answered " + response.statusCode() + ": "
                    + ProblemDetails.detail(response.body()));
            return 1;
        }
        JsonNode tables = Json.MAPPER.readTree(response.body());
        for (JsonNode table : tables) {
            JsonNode p = table.get("protocol");
            out.printf("%n%s, %d examples, %s, %d attack runs%n", p.get("dataset").asText(), p.get("examples").asInt(),
                    String.join(" ", Json.MAPPER.convertValue(p.get("budgets"), String[].class)), p.get("suite").size());
            out.printf("%4s  %-24s %-22s %-22s %-24s %s%n", "rank", "run (epoch)", "defense", "clean [95%]",
                    "robust [95%]", "masking");
            for (JsonNode r : table.get("rows")) {
                out.printf(Locale.ROOT, "%3d%s  %-24s %-22s %-22s %-24s %s%n", r.get("rank").asInt(),
                        r.get("separable").asBoolean() ? " " : "≈", r.get("runId").asText() + " (" + r.get("epoch").asInt()
                                + ")", r.path("defense").asText(""), accuracy(r.get("clean"), r.get("cleanInterval")),
                        r.get("budget").asText() + " " + accuracy(r.get("robust"), r.get("robustInterval")),
                        r.get("maskingSuspected").asBoolean() ? "SUSPECTED" : "no");
            }
            JsonNode first = table.get("rows").get(0);
            if (first != null && first.path("heldOut").asBoolean()) {
                out.printf("(robust accuracy on the held-out half, %d examples: each best was chosen on the other half)%n",
                        first.path("examples").asInt());
            }
        }
        if (tables.isEmpty()) {
            out.println("no reports yet");
        }
        out.flush();
        if (json != null) {
            Files.writeString(json, response.body());
        }
        if (csv != null) {
            HttpResponse<String> asCsv = analysis.get("/api/leaderboard?format=csv", "text/csv");
            Files.writeString(csv, asCsv.body());
        }
        return 0;
    }

    private static String accuracy(JsonNode value, JsonNode interval) {
        return interval == null || interval.isNull() ? String.format(Locale.ROOT, "%.3f", value.asDouble())
                : String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", value.asDouble(), interval.get(0).asDouble(),
                interval.get(1).asDouble());
    }
}
