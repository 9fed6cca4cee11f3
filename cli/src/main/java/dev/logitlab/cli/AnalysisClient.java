package dev.logitlab.cli;

import dev.logitlab.cli.stack.LocalTokens;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.events.Roles;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The analysis service's REST API as the CLI reads it: the URL given, else {@code $LOGITLAB_ANALYSIS_URL}, else the
 * local stack's; the token given, else {@code $LOGITLAB_TOKEN}, else a viewer's signed with the local stack's key.
 */
record AnalysisClient(String baseUrl, String bearer, HttpClient http) {

    static AnalysisClient of(String url, String token) {
        StackConfig local = StackConfig.current();
        String base = url != null ? url : System.getenv().getOrDefault("LOGITLAB_ANALYSIS_URL", local.url("analysis"));
        String bearer = token != null ? token : System.getenv("LOGITLAB_TOKEN");
        if (bearer == null) {
            bearer = new LocalTokens(local.home()).token("cli", Duration.ofMinutes(10), Roles.VIEWER);
        }
        return new AnalysisClient(base.endsWith("/") ? base.substring(0, base.length() - 1) : base, bearer,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    HttpResponse<String> get(String path, String accept) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Authorization", "Bearer " + bearer)
                .header("Accept", accept).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code /api/reports/<checkpointId>} with the id's slash kept. */
    static String reportPath(String checkpointId) {
        return "/api/reports/" + URLEncoder.encode(checkpointId, StandardCharsets.UTF_8).replace("%2F", "/");
    }
}
