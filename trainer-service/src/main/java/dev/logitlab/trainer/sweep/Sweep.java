package dev.logitlab.trainer.sweep;

import dev.logitlab.events.RunSpec;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sweep and the state of each grid point (its run), as {@code GET /api/sweeps/{id}} shows it. */
public final class Sweep {

    /** One grid point: its run, spec and where it is. */
    public static final class Point {
        private final String runId;
        private final RunSpec spec;
        private volatile String status = "PENDING";
        private volatile String reason;
        private volatile LatestReports.Summary latestReport;

        Point(String runId, RunSpec spec) {
            this.runId = runId;
            this.spec = spec;
        }

        public String getRunId() {
            return runId;
        }

        public RunSpec getSpec() {
            return spec;
        }

        public String getStatus() {
            return status;
        }

        public String getReason() {
            return reason;
        }

        /** The newest report of this run on logitlab.reports, if any yet. */
        public LatestReports.Summary getLatestReport() {
            return latestReport;
        }

        void latestReport(LatestReports.Summary summary) {
            latestReport = summary;
        }

        /** Where this run's reports are served (analysis service). */
        public String getReports() {
            return "/api/runs/" + runId + "/reports";
        }

        void status(String next, String why) {
            status = next;
            reason = why;
        }
    }

    private final String sweepId;
    private final String name;
    private final String executor;
    private final String submittedBy;
    private final Instant createdAt;
    private final List<Point> points = new CopyOnWriteArrayList<>();

    Sweep(String sweepId, String name, String executor, String submittedBy) {
        this(sweepId, name, executor, submittedBy, Instant.now());
    }

    Sweep(String sweepId, String name, String executor, String submittedBy, Instant createdAt) {
        this.sweepId = sweepId;
        this.name = name;
        this.executor = executor;
        this.submittedBy = submittedBy;
        this.createdAt = createdAt;
    }

    /** Who submitted it (the token's subject): they, or an operator, may cancel it. */
    public String getSubmittedBy() {
        return submittedBy;
    }

    public String getSweepId() {
        return sweepId;
    }

    public String getName() {
        return name;
    }

    public String getExecutor() {
        return executor;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public List<Point> getPoints() {
        return List.copyOf(points);
    }

    Point add(String runId, RunSpec spec) {
        Point point = new Point(runId, spec);
        points.add(point);
        return point;
    }

    Point point(String runId) {
        return points.stream().filter(p -> p.runId.equals(runId)).findFirst().orElse(null);
    }
}
