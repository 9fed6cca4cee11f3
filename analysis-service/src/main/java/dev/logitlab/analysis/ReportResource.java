package dev.logitlab.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reports as {@code logitlab.reports} has them (any replica answers for all): all published ones, one checkpoint's
 * (published, or failed with its reason), and a run's over its epochs (robustness over training).
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ReportResource {

    @Inject
    KafkaStreams streams;

    @Inject
    ObjectMapper json;

    @GET
    @Path("reports")
    public List<JsonNode> all() {
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
    @Path("reports/{checkpointId: .+}")
    public JsonNode one(@PathParam("checkpointId") String checkpointId) {
        String value = store().get(checkpointId);
        if (value == null) {
            throw new NotFoundException("no report for " + checkpointId);
        }
        return parse(value);
    }

    @GET
    @Path("runs/{runId}/reports")
    public List<JsonNode> ofRun(@PathParam("runId") String runId) {
        List<JsonNode> found = all().stream().filter(r -> r.get("runId").asText().equals(runId)).toList();
        if (found.isEmpty()) {
            throw new NotFoundException("no reports for run " + runId);
        }
        return found;
    }

    private ReadOnlyKeyValueStore<String, String> store() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(ReportTopology.PUBLISHED,
                    QueryableStoreTypes.keyValueStore()));
        } catch (InvalidStateStoreException e) {
            throw new ServiceUnavailableException("reports are being loaded from Kafka; try again shortly");
        }
    }

    private JsonNode parse(String value) {
        try {
            return json.readTree(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("unreadable report: " + e.getOriginalMessage(), e);
        }
    }
}
