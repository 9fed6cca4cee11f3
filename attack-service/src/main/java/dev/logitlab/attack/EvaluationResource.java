package dev.logitlab.attack;

import dev.logitlab.events.AttackEvent;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The attack results of a checkpoint (one per evaluation plan it was attacked with). */
@Path("/api/evaluations")
@Produces(MediaType.APPLICATION_JSON)
public class EvaluationResource {

    @Inject
    EvaluationStore results;

    @GET
    @Path("{checkpointId: .+}")
    public List<AttackEvent> get(@PathParam("checkpointId") String checkpointId) {
        List<AttackEvent> found = results.all(checkpointId);
        if (found.isEmpty()) {
            throw new NotFoundException("no attack results for checkpoint " + checkpointId);
        }
        return found;
    }
}
