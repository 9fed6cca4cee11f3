package dev.logitlab.analysis;

import dev.logitlab.events.ReportPublished;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Published reports: all, one checkpoint's, and a run's over its epochs (robustness over training). */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ReportResource {

    @Inject
    ReportStore reports;

    @GET
    @Path("reports")
    public List<ReportPublished> all() {
        return reports.reports();
    }

    @GET
    @Path("reports/{checkpointId: .+}")
    public ReportPublished one(@PathParam("checkpointId") String checkpointId) {
        return reports.report(checkpointId).orElseThrow(() -> new NotFoundException("no report for " + checkpointId));
    }

    @GET
    @Path("runs/{runId}/reports")
    public List<ReportPublished> ofRun(@PathParam("runId") String runId) {
        List<ReportPublished> found = reports.reportsOfRun(runId);
        if (found.isEmpty()) {
            throw new NotFoundException("no reports for run " + runId);
        }
        return found;
    }
}
