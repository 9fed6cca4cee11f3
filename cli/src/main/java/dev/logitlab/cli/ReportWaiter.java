package dev.logitlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.logitlab.core.Json;
import dev.logitlab.events.EvaluationReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Waits on the analysis service for one checkpoint's report ({@code GET /api/reports/{id}}), drawing its shards'
 * progress: the report when it is published, its reason when it failed, nothing when time runs out.
 */
final class ReportWaiter {

    /** What to do with a published report. */
    interface OnReport {
        void accept(EvaluationReport report) throws IOException;
    }

    private static final Duration POLL = Duration.ofSeconds(2);

    private final HttpClient http;
    private final String analysisUrl;
    private final String bearer;

    ReportWaiter(HttpClient http, String analysisUrl, String bearer) {
        this.http = http;
        this.analysisUrl = analysisUrl;
        this.bearer = bearer;
    }

    /** 0 once the report is published and handled, 1 when it failed or did not come within {@code timeout}. */
    int await(String checkpointId, Duration timeout, OnReport onReport, PrintWriter err) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI uri = URI.create(analysisUrl + "/api/reports/" + URLEncoder.encode(checkpointId, StandardCharsets.UTF_8)
                .replace("%2F", "/"));
        ProgressBar bar = null;
        try {
            while (System.nanoTime() < deadline) {
                HttpResponse<String> response;
                try {
                    response = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + bearer)
                            .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    response = null; // the analysis service restarting: try again
                }
                if (response != null && response.statusCode() == 200) {
                    JsonNode event = Json.MAPPER.readTree(response.body());
                    if (event.has("report")) {
                        if (bar != null) {
                            bar.close();
                            bar = null;
                        }
                        onReport.accept(Json.MAPPER.treeToValue(event.get("report"), EvaluationReport.class));
                        return 0;
                    }
                    if (event.has("reason")) {
                        if (bar != null) {
                            bar.close();
                            bar = null;
                        }
                        err.println("error: the evaluation of " + checkpointId + " failed: " + event.get("reason").asText());
                        return 1;
                    }
                    JsonNode progress = event.path("progress");
                    if (progress.has("shards")) {
                        if (bar == null) {
                            bar = new ProgressBarBuilder().setTaskName("attack").setInitialMax(progress.get("shards").asInt())
                                    .setStyle(ProgressBarStyle.ASCII).setMaxRenderedLength(100).build();
                        }
                        bar.stepTo(progress.path("shardsDone").asInt());
                    }
                } else if (response != null && response.statusCode() != 404 && response.statusCode() != 503) {
                    err.println("error: the analysis service answered " + response.statusCode() + ": "
                            + ProblemDetails.detail(response.body()));
                    return 1;
                }
                Thread.sleep(POLL.toMillis());
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        err.println("error: no report for " + checkpointId + " within " + timeout.toMinutes() + " min; it goes on: "
                + uri);
        return 1;
    }
}
