package dev.logitlab.trainer.sweep;

import dev.logitlab.events.RunEvent;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.SweepSpec;
import dev.logitlab.service.InvalidFieldException;
import dev.logitlab.trainer.Run;
import dev.logitlab.trainer.RunPublisher;
import dev.logitlab.trainer.RunSpecs;
import dev.logitlab.trainer.SubmissionLimits;
import dev.logitlab.trainer.TrainingExecutor;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import dev.logitlab.service.TooManyRequestsException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sweeps: a grid of runs trained by the in-process executor ({@code local}, the default off-cluster) or as one
 * Kubernetes Job per run ({@code kubernetes}), whose status and run events follow the Jobs.
 */
@ApplicationScoped
public class SweepService {

    @Inject
    TrainingExecutor executor;

    @Inject
    RunPublisher publisher;

    @Inject
    LatestReports reports;

    @Inject
    SubmissionLimits limits;

    @Inject
    SweepStore store;

    @ConfigProperty(name = "logitlab.kubernetes.namespace", defaultValue = "default")
    String namespace;

    @ConfigProperty(name = "logitlab.kubernetes.job-template", defaultValue = "/etc/logitlab/job-template.yaml")
    Path jobTemplate;

    private final Map<String, Sweep> sweeps = new ConcurrentHashMap<>();
    private final Map<String, RunSpec> kubernetesRuns = new ConcurrentHashMap<>();
    private volatile KubernetesJobs jobs;

    /** The sweeps in the store, as a restarted trainer (or any replica) finds them; their Jobs are watched again. */
    @PostConstruct
    void load() {
        for (Sweep sweep : store.all()) {
            sweeps.put(sweep.getSweepId(), sweep);
            if (sweep.getExecutor().equals("kubernetes")) {
                sweep.getPoints().forEach(p -> kubernetesRuns.put(p.getRunId(), p.getSpec()));
            }
        }
        if (!kubernetesRuns.isEmpty()) {
            kubernetes(); // the informer reports every Job that still exists, and so the points' status
        }
    }

    public Sweep submit(SweepSpec spec, String submittedBy) {
        String kind = spec.executor() == null ? "local" : spec.executor();
        if (!kind.equals("local") && !kind.equals("kubernetes")) {
            throw new InvalidFieldException("executor", "executor must be local or kubernetes, got " + kind);
        }
        List<RunSpec> grid = SweepGrid.expand(spec, limits).stream().map(RunSpecs::normalize).toList();
        grid.forEach(limits::check);
        Sweep sweep = new Sweep("sweep-" + UUID.randomUUID().toString().replace("-", "").substring(0, 10),
                spec.name(), kind, submittedBy);
        if (kind.equals("local")) {
            for (RunSpec point : grid) {
                sweep.add(executor.submit(point, submittedBy).getRunId(), point);
            }
            store.save(sweep);
            sweeps.put(sweep.getSweepId(), sweep);
            return sweep;
        }
        withinQuota(submittedBy, grid.size());
        for (RunSpec point : grid) {
            sweep.add("run-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), point);
        }
        store.save(sweep); // before any Job: a restart while creating them still knows the sweep and can cancel it
        sweeps.put(sweep.getSweepId(), sweep);
        List<io.fabric8.kubernetes.api.model.batch.v1.Job> created = new java.util.ArrayList<>();
        for (Sweep.Point point : sweep.getPoints()) {
            kubernetesRuns.put(point.getRunId(), point.getSpec());
            try {
                created.add(kubernetes().create(sweep.getSweepId(), point.getRunId(), point.getSpec(), submittedBy));
            } catch (RuntimeException e) {
                fail(point, "the Job could not be created: " + e.getMessage());
            }
        }
        // the quota checked above may have been taken meanwhile by another sweep, on this replica or another
        java.util.Set<String> over = created.isEmpty() ? java.util.Set.of()
                : kubernetes().overQuota(submittedBy, limits.jobsInFlight(), created);
        for (Sweep.Point point : sweep.getPoints()) {
            if (over.contains(point.getRunId())) {
                fail(point, submittedBy + " has " + limits.jobsInFlight() + " training Jobs in flight "
                        + "(logitlab.limits.jobs-in-flight)");
            } else if (!"FAILED".equals(point.getStatus())) {
                publisher.run(RunEvent.submitted(point.getRunId(),
                        RunSpecs.trainingConfig(point.getSpec()).configHash(), point.getSpec()));
            }
        }
        return sweep;
    }

    private void fail(Sweep.Point point, String reason) {
        point.status("FAILED", reason);
        publisher.run(RunEvent.failed(point.getRunId(), RunSpecs.trainingConfig(point.getSpec()).configHash(),
                point.getSpec().seed(), reason));
    }

    /** Refuses Jobs beyond a subject's share of the cluster: Jobs and GPUs in flight (logitlab.limits.*). */
    private void withinQuota(String subject, int more) {
        int jobs = kubernetes().inFlight(subject) + more;
        if (jobs > limits.jobsInFlight()) {
            throw new TooManyRequestsException(subject + " would have " + jobs + " training Jobs in flight, over the "
                    + "limit of " + limits.jobsInFlight() + " (logitlab.limits.jobs-in-flight)", 60);
        }
        int gpus = jobs * kubernetes().gpusPerJob();
        if (gpus > limits.gpusInFlight()) {
            throw new TooManyRequestsException(subject + " would have " + gpus + " GPUs in flight, over the limit of "
                    + limits.gpusInFlight() + " (logitlab.limits.gpus-in-flight)", 60);
        }
    }

    public Optional<Sweep> find(String sweepId) {
        Optional<Sweep> sweep = Optional.ofNullable(sweeps.get(sweepId));
        sweep.ifPresent(this::refresh);
        return sweep;
    }

    public Collection<Sweep> all() {
        sweeps.values().forEach(this::refresh);
        return sweeps.values();
    }

    /** Cancels every run of a sweep: local runs stop after their batch, Jobs are deleted. */
    public Optional<Sweep> cancel(String sweepId) {
        Optional<Sweep> sweep = Optional.ofNullable(sweeps.get(sweepId));
        sweep.ifPresent(s -> {
            if (s.getExecutor().equals("local")) {
                s.getPoints().forEach(p -> executor.cancel(p.getRunId()));
            } else {
                kubernetes().delete(sweepId);
            }
        });
        return sweep;
    }

    /** Local runs' status from the executor; every point's newest report from logitlab.reports. */
    private void refresh(Sweep sweep) {
        for (Sweep.Point point : sweep.getPoints()) {
            if (sweep.getExecutor().equals("local")) {
                executor.find(point.getRunId()).ifPresent(run -> point.status(run.getStatus().name(), run.getError()));
            }
            reports.of(point.getRunId()).ifPresent(point::latestReport);
        }
    }

    /** Job status changes become point status and run events. */
    void changed(String sweepId, String runId, String status, String reason) {
        Sweep sweep = sweeps.get(sweepId);
        Sweep.Point point = sweep == null ? null : sweep.point(runId);
        if (point != null) {
            point.status(status, reason);
        }
        RunSpec spec = kubernetesRuns.get(runId);
        if (spec == null) {
            return;
        }
        String hash = RunSpecs.trainingConfig(spec).configHash();
        switch (status) {
            case "SUCCEEDED" -> publisher.run(RunEvent.completed(runId, hash, spec.seed(), null));
            case "FAILED", "CANCELLED" -> publisher.run(RunEvent.failed(runId, hash, spec.seed(),
                    reason == null ? status.toLowerCase() : reason));
            default -> { }
        }
    }

    private KubernetesJobs kubernetes() {
        if (jobs == null) {
            synchronized (this) {
                if (jobs == null) {
                    try {
                        jobs = new KubernetesJobs(new KubernetesClientBuilder().build(), namespace,
                                Files.readString(jobTemplate), this::changed).start();
                    } catch (IOException e) {
                        throw new UncheckedIOException("no Job template at " + jobTemplate
                                + " (the Helm chart mounts it; set logitlab.kubernetes.job-template)", e);
                    }
                }
            }
        }
        return jobs;
    }

    @PreDestroy
    void stop() {
        if (jobs != null) {
            jobs.close();
        }
    }
}
