package dev.logitlab.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reports as {@code logitlab.reports} has them (any replica answers for all): all published ones, one checkpoint's
 * (published, failed with its reason, or still being attacked with its progress), a run's over its epochs
 * (robustness over training), and where every evaluation stands.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ReportResource {

    @Inject
    KafkaStreams streams;

    @Inject
    ObjectMapper json;

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    @Path("reports")
    public jakarta.ws.rs.core.Response all(@QueryParam("limit") Integer limit, @QueryParam("after") String after,
                                           @jakarta.ws.rs.core.Context jakarta.ws.rs.core.UriInfo uri) {
        return dev.logitlab.service.Pages.of(published(), n -> n.get("checkpointId").asText(), limit, after, uri);
    }

    private List<JsonNode> published() {
        List<JsonNode> published = new ArrayList<>();
        try (KeyValueIterator<String, String> all = store().all()) {
            all.forEachRemaining(kv -> {
                JsonNode node = parse(kv.value);
                if (node.has("report")) {
                    published.add(node);
                }
            });
        }
        published.sort(Comparator.comparing((JsonNode n) -> n.get("runId").asText()).thenComparing(n -> n.get("epoch").asInt()));
        return published;
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    @Path("reports/{checkpointId: .+}")
    public JsonNode one(@PathParam("checkpointId") String checkpointId) {
        String value = store().get(checkpointId);
        if (value == null) {
            throw new NotFoundException("no report for " + checkpointId);
        }
        return parse(value);
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    @Path("runs/{runId}/reports")
    public List<JsonNode> ofRun(@PathParam("runId") String runId) {
        List<JsonNode> found = published().stream().filter(r -> r.get("runId").asText().equals(runId)).toList();
        if (found.isEmpty()) {
            throw new NotFoundException("no reports for run " + runId);
        }
        return found;
    }

    /**
     * Where every checkpoint's evaluation stands, or one run's: {@code attacking} (with {@code shardsDone} of
     * {@code shards}), {@code published} or {@code failed} (with its reason); ordered by run and epoch.
     */
    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    @Path("evaluations")
    public jakarta.ws.rs.core.Response evaluations(@QueryParam("runId") String runId,
                                                   @QueryParam("limit") Integer limit, @QueryParam("after") String after,
                                                   @jakarta.ws.rs.core.Context jakarta.ws.rs.core.UriInfo uri) {
        List<Evaluation> found = new ArrayList<>();
        try (KeyValueIterator<String, String> all = store().all()) {
            all.forEachRemaining(kv -> {
                Evaluation e = Evaluation.of(parse(kv.value));
                if (runId == null || e.runId().equals(runId)) {
                    found.add(e);
                }
            });
        }
        found.sort(Comparator.comparing(Evaluation::runId).thenComparing(Evaluation::epoch));
        return dev.logitlab.service.Pages.of(found, Evaluation::checkpointId, limit, after, uri);
    }

    /** One checkpoint's evaluation, as {@link #evaluations} lists it. */
    public record Evaluation(String runId, String checkpointId, int epoch, String state, Integer shardsDone,
                             Integer shards, String reason) {
        static Evaluation of(JsonNode n) {
            String state = n.has("report") ? "published" : n.has("progress") ? "attacking" : "failed";
            JsonNode p = n.path("progress");
            return new Evaluation(n.path("runId").asText(), n.path("checkpointId").asText(), n.path("epoch").asInt(),
                    state, p.has("shardsDone") ? p.get("shardsDone").asInt() : null,
                    p.has("shards") ? p.get("shards").asInt() : null, n.has("reason") ? n.get("reason").asText() : null);
        }
    }

    private ReadOnlyKeyValueStore<String, String> store() {
        return RunReports.queryable(streams, ReportTopology.PUBLISHED);
    }

    private JsonNode parse(String value) {
        try {
            return json.readTree(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("unreadable report: " + e.getOriginalMessage(), e);
        }
    }
}
