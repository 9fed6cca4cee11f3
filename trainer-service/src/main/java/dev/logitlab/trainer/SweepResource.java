package dev.logitlab.trainer;

import dev.logitlab.events.SweepSpec;
import dev.logitlab.trainer.sweep.Sweep;
import dev.logitlab.trainer.sweep.SweepService;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;

/** Sweeps of defenses × hyperparameters × seeds: one run per grid point. */
@Path("/api/sweeps")
@Produces(MediaType.APPLICATION_JSON)
public class SweepResource {

    @Inject
    SweepService sweeps;

    @Inject
    SubmissionRate rate;

    @Inject
    SecurityIdentity caller;

    @POST
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(SweepSpec spec, @Context UriInfo uri) {
        rate.admit(caller.getPrincipal().getName());
        Sweep sweep = sweeps.submit(spec, caller.getPrincipal().getName());
        return Response.accepted(Map.of("sweepId", sweep.getSweepId(), "runs", sweep.getPoints().size()))
                .location(uri.getAbsolutePathBuilder().path(sweep.getSweepId()).build()).build();
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    public Response list(@jakarta.ws.rs.QueryParam("limit") Integer limit, @jakarta.ws.rs.QueryParam("after") String after,
                         @Context UriInfo uri) {
        return dev.logitlab.service.Pages.of(sweeps.all().stream()
                .sorted(java.util.Comparator.comparing(Sweep::getSweepId)).toList(), Sweep::getSweepId, limit, after, uri);
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    @Path("{sweepId}")
    public Sweep get(@PathParam("sweepId") String sweepId) {
        return sweeps.find(sweepId).orElseThrow(() -> new NotFoundException("no sweep " + sweepId));
    }

    /** Cancels every run of a sweep: its submitter or an operator may. */
    @DELETE
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    @Path("{sweepId}")
    public Response cancel(@PathParam("sweepId") String sweepId) {
        Sweep found = sweeps.find(sweepId).orElseThrow(() -> new NotFoundException("no sweep " + sweepId));
        Owners.require(caller, found.getSubmittedBy(), "sweep " + sweepId);
        Sweep sweep = sweeps.cancel(sweepId).orElseThrow(() -> new NotFoundException("no sweep " + sweepId));
        return Response.accepted(Map.of("sweepId", sweep.getSweepId())).build();
    }
}
