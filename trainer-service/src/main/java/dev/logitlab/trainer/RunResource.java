package dev.logitlab.trainer;

import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Roles;
import jakarta.annotation.security.RolesAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Training runs: submit, list, inspect, cancel. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    @Inject
    TrainingExecutor executor;

    @Inject
    SubmissionLimits limits;

    @Inject
    SubmissionRate rate;

    @Inject
    SecurityIdentity caller;

    @POST
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(RunSpec spec, @jakarta.ws.rs.core.Context UriInfo uri) {
        rate.admit(caller.getPrincipal().getName());
        RunSpec normalized = RunSpecs.normalize(spec);
        limits.check(normalized);
        Run run = executor.submit(normalized, caller.getPrincipal().getName());
        return Response.accepted(Map.of("runId", run.getRunId(), "status", run.getStatus()))
                .location(uri.getAbsolutePathBuilder().path(run.getRunId()).build())
                .build();
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    public Response list(@jakarta.ws.rs.QueryParam("limit") Integer limit, @jakarta.ws.rs.QueryParam("after") String after,
                         @jakarta.ws.rs.core.Context UriInfo uri) {
        List<Run> runs = executor.all().stream()
                .sorted(Comparator.comparing(Run::getSubmittedAt).thenComparing(Run::getRunId)).toList();
        return dev.logitlab.service.Pages.of(runs, Run::getRunId, limit, after, uri);
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    @Path("{runId}")
    public Run get(@PathParam("runId") String runId) {
        return executor.find(runId).orElseThrow(() -> new NotFoundException("no run " + runId));
    }

    /** Cancels a run: its submitter or an operator may. */
    @DELETE
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    @Path("{runId}")
    public Response cancel(@PathParam("runId") String runId) {
        Run found = executor.find(runId).orElseThrow(() -> new NotFoundException("no run " + runId));
        Owners.require(caller, found.getSubmittedBy(), "run " + runId);
        Run run = executor.cancel(runId).orElseThrow(() -> new NotFoundException("no run " + runId));
        return Response.accepted(Map.of("runId", runId, "status", run.getStatus())).build();
    }
}
