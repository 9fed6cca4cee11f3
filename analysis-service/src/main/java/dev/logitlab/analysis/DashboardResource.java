package dev.logitlab.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What the dashboard at {@code /} reads besides the reports: the latest event of every run, a live stream of new
 * reports and run events, and where the trainer takes submissions.
 */
@Path("/api")
public class DashboardResource {

    @Inject
    KafkaStreams streams;

    @Inject
    ObjectMapper json;

    @Inject
    LiveEvents live;

    /** The trainer's address as the browser reaches it (the form posts there; the trainer allows this origin). Open. */
    @ConfigProperty(name = "logitlab.trainer.url")
    String trainerUrl;

    @GET
    @Path("dashboard")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, String> dashboard() {
        return Map.of("trainerUrl", trainerUrl);
    }

    /** The latest event of every run on {@code logitlab.runs}, with the spec it was submitted with. */
    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    @Path("run-events")
    @Produces(MediaType.APPLICATION_JSON)
    public jakarta.ws.rs.core.Response runEvents(@jakarta.ws.rs.QueryParam("limit") Integer limit,
                                                 @jakarta.ws.rs.QueryParam("after") String after,
                                                 @Context jakarta.ws.rs.core.UriInfo uri) {
        List<JsonNode> events = new ArrayList<>();
        try (KeyValueIterator<String, String> all = streams.store(StoreQueryParameters.fromNameAndType(
                ReportTopology.RUN_EVENTS, QueryableStoreTypes.<String, String>keyValueStore())).all()) {
            all.forEachRemaining(kv -> parse(kv.value).ifPresent(events::add));
        } catch (InvalidStateStoreException e) {
            throw new ServiceUnavailableException("run events are being loaded from Kafka; try again shortly");
        }
        return dev.logitlab.service.Pages.of(events, e -> e.path("runId").asText(), limit, after, uri);
    }

    /** New reports ({@code report}) and run events ({@code run}) as this replica reads them. */
    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    @Path("stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@Context SseEventSink sink, @Context Sse sse,
                       @Context jakarta.ws.rs.core.SecurityContext caller) {
        live.register(sse, sink, caller.getUserPrincipal().getName());
    }

    /** The store holds only checked events (ReportTopology); should one not parse, the view goes on without it. */
    private java.util.Optional<JsonNode> parse(String value) {
        try {
            return java.util.Optional.of(json.readTree(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return java.util.Optional.empty();
        }
    }
}
