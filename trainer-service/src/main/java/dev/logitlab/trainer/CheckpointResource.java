package dev.logitlab.trainer;

import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.Roles;
import dev.logitlab.events.RunSpec;
import dev.logitlab.service.InvalidFieldException;
import dev.logitlab.service.Problems;
import dev.logitlab.trainer.external.ExternalCheckpoints;
import dev.logitlab.trainer.external.Upload;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checkpoints from outside: a TorchScript file uploaded as the body, stored content-checked in the checkpoint store
 * and announced on {@code logitlab.checkpoints} exactly as the trainer announces its own, so the attack and analysis
 * services judge it the same way. Idempotent: the same bytes for the same run and step are the same checkpoint.
 */
@Path("/api/checkpoints")
@Produces(MediaType.APPLICATION_JSON)
public class CheckpointResource {

    /** How long an upload waits for the broker's acknowledgement before answering 503 (retrying is safe). */
    static final long ANNOUNCE_SECONDS = 60;

    /** The query parameter behind each field of the evaluation plan, so a 400 names what the caller sent. */
    static final Map<String, String> PARAMETERS = Map.of("evaluation.eps", "eps", "evaluation.epsL2", "epsL2",
            "evaluation.attacks", "attacks", "evaluation.limit", "limit", "evaluation.gapLimit", "gaps",
            "evaluation.baseline", "baseline", "evaluation.maxDrop", "maxDrop");

    @Inject
    ExternalCheckpoints checkpoints;

    @Inject
    RunPublisher publisher;

    @Inject
    SubmissionLimits limits;

    @Inject
    SubmissionRate rate;

    @Inject
    SecurityIdentity caller;

    @POST
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    public Response upload(InputStream body, @QueryParam("runId") String runId, @QueryParam("step") Integer step,
                           @QueryParam("dataset") String dataset, @QueryParam("label") String label,
                           @QueryParam("seed") @DefaultValue("0") long seed,
                           @QueryParam("eps") @DefaultValue("0.1") String eps, @QueryParam("epsL2") String epsL2,
                           @QueryParam("attacks") @DefaultValue("default") String attacks,
                           @QueryParam("limit") @DefaultValue("500") int limit,
                           @QueryParam("gaps") @DefaultValue("200") int gaps,
                           @QueryParam("baseline") String baseline, @QueryParam("maxDrop") Double maxDrop,
                           @jakarta.ws.rs.core.Context UriInfo uri) {
        rate.admit(caller.getPrincipal().getName());
        if (step == null) {
            throw new InvalidFieldException("step", "step is required: the epoch or training step of this checkpoint");
        }
        RunSpec.Evaluation evaluation = new RunSpec.Evaluation(budgets("eps", eps), budgets("epsL2", epsL2), attacks,
                limit, gaps, baseline, maxDrop);
        try {
            RunSpecs.plan(evaluation);
            limits.check(evaluation);
        } catch (InvalidFieldException e) {
            throw new InvalidFieldException(PARAMETERS.getOrDefault(e.field(), e.field()), e.getMessage());
        }
        Upload upload = new Upload(runId, step, dataset, label, seed, evaluation);
        ExternalCheckpoints.Stored stored = checkpoints.store(upload, body, limits.checkpointBytes(),
                caller.getPrincipal().getName(), caller.hasRole(Roles.OPERATOR));
        CheckpointCreated announcement = stored.manifest().announcement();
        if (!announceOnce(publisher, checkpoints, announcement)) {
            return Problems.problem(503, "Broker unavailable", "stored " + announcement.checkpointId() + " but the "
                    + "broker did not acknowledge its announcement; send the same upload again", null);
        }
        return Response.status(stored.created() ? 201 : 200)
                .location(uri.getBaseUriBuilder().path("api/checkpoints").path(upload.runId())
                        .path(Integer.toString(upload.step())).build())
                .entity(view(stored.manifest())).build();
    }

    /** Announces a stored checkpoint unless the broker has it already; false when the broker did not take it in time. */
    static boolean announceOnce(RunPublisher publisher, ExternalCheckpoints checkpoints, CheckpointCreated announcement) {
        if (checkpoints.announced(announcement)) {
            return true;
        }
        long deadline = System.nanoTime() + ANNOUNCE_SECONDS * 1_000_000_000L;
        if (!publisher.checkpoint(announcement, () -> System.nanoTime() > deadline)) {
            return false;
        }
        checkpoints.markAnnounced(announcement);
        return true;
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    @Path("{runId}/{step}")
    public Map<String, Object> get(@PathParam("runId") String runId, @PathParam("step") int step) {
        return checkpoints.find(runId, step).map(this::view)
                .orElseThrow(() -> new NotFoundException("no uploaded checkpoint " + runId + " step " + step));
    }

    private Map<String, Object> view(ExternalCheckpoints.Manifest m) {
        CheckpointCreated a = m.announcement();
        return Map.of("checkpointId", a.checkpointId(), "runId", a.runId(), "step", a.epoch(), "sha256", a.sha256(),
                "bytes", m.bytes(), "uri", a.uri(), "dataset", a.dataset(), "evaluation", a.evaluation(),
                "announced", checkpoints.announced(a));
    }

    /** Comma-separated budgets; a value that is not a number is a 400 naming the field. */
    private static List<Double> budgets(String field, String values) {
        List<Double> budgets = new ArrayList<>();
        if (values == null || values.isBlank()) {
            return budgets;
        }
        for (String value : values.split(",", 101)) {
            try {
                budgets.add(Double.parseDouble(value.strip()));
            } catch (NumberFormatException e) {
                throw new InvalidFieldException(field, field + " must be comma-separated numbers, got '"
                        + (value.length() > 20 ? value.substring(0, 20) + "…" : value) + "'");
            }
        }
        return budgets;
    }
}
