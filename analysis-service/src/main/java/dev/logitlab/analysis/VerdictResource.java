package dev.logitlab.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.verdict.BestCheckpoint;
import dev.logitlab.core.verdict.BestCheckpoint.Judged;
import dev.logitlab.core.verdict.Leaderboard;
import dev.logitlab.events.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Decisions from the reports: every checkpoint's verdict ({@code logitlab.verdicts}), a run's best checkpoint, and
 * the leaderboard (one row per run, ranked only among runs judged under the same protocol), as JSON or CSV.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class VerdictResource {

    @Inject
    KafkaStreams streams;

    @Inject
    ObjectMapper json;

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    @Path("verdicts")
    public jakarta.ws.rs.core.Response verdicts(@QueryParam("runId") String runId, @QueryParam("limit") Integer limit,
                                                @QueryParam("after") String after,
                                                @jakarta.ws.rs.core.Context jakarta.ws.rs.core.UriInfo uri) {
        List<JsonNode> found = new ArrayList<>();
        try (KeyValueIterator<String, String> all = store(ReportTopology.VERDICT_COPY).all()) {
            all.forEachRemaining(kv -> {
                try {
                    JsonNode v = json.readTree(kv.value);
                    if (v != null && (runId == null || runId.equals(v.path("runId").asText()))) {
                        found.add(v);
                    }
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    // not a verdict: the copy mirrors the topic, the list shows what it can read
                }
            });
        }
        found.sort(java.util.Comparator.comparing((JsonNode v) -> v.path("runId").asText())
                .thenComparingInt(v -> v.path("epoch").asInt()));
        return dev.logitlab.service.Pages.of(found, v -> v.path("checkpointId").asText(), limit, after, uri);
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    @Path("runs/{runId}/best")
    public Map<String, Object> best(@PathParam("runId") String runId) {
        List<Judged> run = RunReports.ofRun(store(ReportTopology.PUBLISHED), json, runId);
        Judged best = BestCheckpoint.of(run).orElseThrow(() -> new NotFoundException("no reports for run " + runId));
        var headline = BestCheckpoint.headline(best.report());
        // Chosen among several: its figure is the held-out half's, the half it was not chosen on.
        boolean heldOut = BestCheckpoint.underProtocolOf(best, run).size() > 1 && headline.robust() != null;
        var reported = heldOut ? BestCheckpoint.heldOut(best.report()).worstCase().stream()
                .filter(w -> w.budget().equals(headline.budget())).findFirst().orElseThrow() : headline;
        return Map.of("runId", runId, "checkpointId", best.checkpointId(), "epoch", best.epoch(),
                "budget", headline.budget(), "robustAccuracy", reported.robustAccuracy(),
                "examples", heldOut ? best.report().examples() / 2 : best.report().examples(), "heldOut", heldOut,
                "cleanAccuracy", best.report().cleanAccuracy());
    }

    /** JSON by default; CSV with {@code ?format=csv} (or {@code Accept: text/csv}). */
    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    @Path("leaderboard")
    @Produces({MediaType.APPLICATION_JSON, "text/csv"})
    public Response leaderboard(@QueryParam("format") String format,
                                @jakarta.ws.rs.core.Context jakarta.ws.rs.core.HttpHeaders headers) {
        List<Leaderboard.Table> tables = Leaderboard.of(RunReports.all(store(ReportTopology.PUBLISHED), json));
        boolean csv = "csv".equals(format) || (format == null && headers.getAcceptableMediaTypes().stream()
                .anyMatch(m -> m.isCompatible(MediaType.valueOf("text/csv")) && !m.isWildcardType()));
        if (csv) {
            return Response.ok(Leaderboard.csv(tables), "text/csv")
                    .header("Content-Disposition", "attachment; filename=\"leaderboard.csv\"").build();
        }
        return Response.ok(tables, MediaType.APPLICATION_JSON).build();
    }

    private ReadOnlyKeyValueStore<String, String> store(String name) {
        return RunReports.queryable(streams, name);
    }
}
