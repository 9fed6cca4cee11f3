package dev.logitlab.trainer.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.RunSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Training runs as {@code batch/v1} Jobs: one Job per run, made from the chart's pod template (GPU requests,
 * volumes, security), watched with an informer whose events drive the run's status; cancelling deletes the Jobs.
 */
public final class KubernetesJobs implements AutoCloseable {

    public static final String SWEEP_LABEL = "logitlab.dev/sweep";
    public static final String RUN_LABEL = "logitlab.dev/run";
    /** Who asked for the Job (a label value made of the token's subject), so in-flight Jobs count per subject. */
    public static final String SUBJECT_LABEL = "logitlab.dev/subject";
    /** A Job that the template gives no deadline runs at most this long. */
    static final long DEFAULT_DEADLINE_SECONDS = 24 * 3600;
    static final int DEFAULT_BACKOFF_LIMIT = 1;

    /** What the trainer does when a Job's run changes state. */
    public interface Listener {
        void changed(String sweepId, String runId, String status, String reason);
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String template;
    private final Listener listener;
    private final ObjectMapper json = new ObjectMapper();
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final Map<String, String> lastStatus = new ConcurrentHashMap<>();
    private SharedIndexInformer<Job> informer;

    public KubernetesJobs(KubernetesClient client, String namespace, String jobTemplateYaml, Listener listener) {
        this.client = client;
        this.namespace = namespace;
        this.template = jobTemplateYaml;
        this.listener = listener;
    }

    /** Starts watching the Jobs of every sweep in the namespace. */
    public KubernetesJobs start() {
        informer = client.batch().v1().jobs().inNamespace(namespace).withLabel(SWEEP_LABEL)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Job job) {
                        report(job);
                    }

                    @Override
                    public void onUpdate(Job before, Job job) {
                        report(job);
                    }

                    @Override
                    public void onDelete(Job job, boolean unknownFinalState) {
                        String runId = job.getMetadata().getLabels().get(RUN_LABEL);
                        String status = lastStatus.get(runId);
                        if (status == null || !(status.equals("SUCCEEDED") || status.equals("FAILED"))) {
                            change(job, "CANCELLED", "the Job was deleted");
                        }
                    }
                });
        return this;
    }

    /** Creates the Job of one run from the template (see {@link #create(String, String, RunSpec, String)}). */
    public Job create(String sweepId, String runId, RunSpec spec) {
        return create(sweepId, runId, spec, "anonymous");
    }

    /**
     * Creates the Job of one run from the template; the worker reads its run from the environment. Idempotent: the
     * Job's name is the run's, and a Job that exists already is the one returned (a trainer that restarted while
     * creating a sweep's Jobs creates only the missing ones). Every Job ends: a deadline and a backoff limit when the
     * template gives none.
     */
    public Job create(String sweepId, String runId, RunSpec spec, String subject) {
        Job job = serialization.unmarshal(template, Job.class);
        String name = ("logitlab-train-" + runId).toLowerCase();
        Job existing = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
        if (existing != null) {
            return existing;
        }
        job.getMetadata().setName(name);
        job.getMetadata().setNamespace(namespace);
        job.getMetadata().getLabels().put(SWEEP_LABEL, sweepId);
        job.getMetadata().getLabels().put(RUN_LABEL, runId);
        job.getMetadata().getLabels().put(SUBJECT_LABEL, labelOf(subject));
        if (job.getSpec().getActiveDeadlineSeconds() == null) {
            job.getSpec().setActiveDeadlineSeconds(DEFAULT_DEADLINE_SECONDS);
        }
        if (job.getSpec().getBackoffLimit() == null) {
            job.getSpec().setBackoffLimit(DEFAULT_BACKOFF_LIMIT);
        }
        job.getSpec().getTemplate().getMetadata().getLabels().put(SWEEP_LABEL, sweepId);
        job.getSpec().getTemplate().getMetadata().getLabels().put(RUN_LABEL, runId);
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        container.getEnv().add(new EnvVar("LOGITLAB_WORKER_RUN_ID", runId, null));
        container.getEnv().add(new EnvVar("LOGITLAB_WORKER_SPEC", toJson(spec), null));
        try {
            return client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() == 409) { // created meanwhile (another trainer replica resuming the same sweep)
                return client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
            }
            throw e;
        }
    }

    /**
     * Of {@code created} (Jobs this replica just made for {@code subject}), deletes and returns those that are not
     * among the subject's first {@code maxInFlight} Jobs in flight, by creation time then name. Listed a second after
     * the last was created, so that any Job another replica made in the same second (timestamps have one-second
     * resolution) is seen by both: both rank the same Jobs the same way, the quota holds without a lock, and the later
     * Jobs are the ones that go.
     */
    public java.util.Set<String> overQuota(String subject, int maxInFlight, java.util.Collection<Job> created) {
        long newest = created.stream().map(j -> j.getMetadata().getCreationTimestamp()).filter(java.util.Objects::nonNull)
                .mapToLong(t -> java.time.Instant.parse(t).toEpochMilli()).max().orElse(0);
        long wait = newest + 1_500 - System.currentTimeMillis();
        if (wait > 0) {
            try {
                Thread.sleep(Math.min(wait, 2_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        java.util.List<String> order = client.batch().v1().jobs().inNamespace(namespace)
                .withLabel(SUBJECT_LABEL, labelOf(subject)).list().getItems().stream().filter(j -> !ended(j))
                .sorted(java.util.Comparator.comparing((Job j) -> String.valueOf(j.getMetadata().getCreationTimestamp()))
                        .thenComparing(j -> j.getMetadata().getName()))
                .map(j -> j.getMetadata().getName()).toList();
        java.util.Set<String> over = new java.util.HashSet<>();
        for (Job job : created) {
            String name = job.getMetadata().getName();
            if (order.indexOf(name) >= maxInFlight) {
                client.batch().v1().jobs().inNamespace(namespace).withName(name)
                        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
                over.add(job.getMetadata().getLabels().get(RUN_LABEL));
            }
        }
        return over;
    }

    /** The subject's Jobs that have not ended (neither succeeded nor failed): what a quota counts. */
    public int inFlight(String subject) {
        return (int) client.batch().v1().jobs().inNamespace(namespace).withLabel(SUBJECT_LABEL, labelOf(subject)).list()
                .getItems().stream().filter(j -> !ended(j)).count();
    }

    /** GPUs one Job of the template asks for ({@code nvidia.com/gpu} limits of its containers). */
    public int gpusPerJob() {
        Job job = serialization.unmarshal(template, Job.class);
        return job.getSpec().getTemplate().getSpec().getContainers().stream()
                .map(c -> c.getResources() == null || c.getResources().getLimits() == null ? null
                        : c.getResources().getLimits().get("nvidia.com/gpu"))
                .filter(Objects::nonNull).mapToInt(q -> q.getNumericalAmount().intValue()).sum();
    }

    private static boolean ended(Job job) {
        JobStatus s = job.getStatus();
        return s != null && ((s.getSucceeded() != null && s.getSucceeded() > 0) || (s.getConditions() != null
                && s.getConditions().stream().anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))));
    }

    /** A label value (≤ 63 of [A-Za-z0-9._-], alphanumeric at both ends) for any subject: itself, or its hash. */
    static String labelOf(String subject) {
        String s = subject == null ? "anonymous" : subject;
        if (s.matches("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")) {
            return s;
        }
        return "h-" + dev.logitlab.core.checkpoint.Sha256.of(s.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .substring(0, 40);
    }

    /** Deletes every Job of a sweep (their pods go with them). */
    public void delete(String sweepId) {
        client.batch().v1().jobs().inNamespace(namespace).withLabel(SWEEP_LABEL, sweepId)
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
    }

    private void report(Job job) {
        JobStatus s = job.getStatus();
        if (s == null) {
            change(job, "PENDING", null);
            return;
        }
        JobCondition failed = s.getConditions() == null ? null : s.getConditions().stream()
                .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus())).findFirst().orElse(null);
        if (failed != null) {
            change(job, "FAILED", failureReason(job, failed));
        } else if (s.getSucceeded() != null && s.getSucceeded() > 0) {
            change(job, "SUCCEEDED", null);
        } else if (s.getActive() != null && s.getActive() > 0) {
            change(job, "RUNNING", null);
        } else {
            change(job, "PENDING", null);
        }
    }

    /** The Job's reason, and the first terminated container's (OOMKilled, Error, …) with its exit code. */
    private String failureReason(Job job, JobCondition condition) {
        StringBuilder reason = new StringBuilder(Objects.toString(condition.getReason(), "Failed"));
        if (condition.getMessage() != null) {
            reason.append(": ").append(condition.getMessage());
        }
        for (Pod pod : client.pods().inNamespace(namespace).withLabel("job-name", job.getMetadata().getName()).list().getItems()) {
            if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
                continue;
            }
            pod.getStatus().getContainerStatuses().stream()
                    .filter(c -> c.getState() != null && c.getState().getTerminated() != null)
                    .findFirst().ifPresent(c -> reason.append("; pod ").append(pod.getMetadata().getName()).append(": ")
                            .append(c.getState().getTerminated().getReason()).append(" (exit ")
                            .append(c.getState().getTerminated().getExitCode()).append(")"));
        }
        return reason.toString();
    }

    private void change(Job job, String status, String reason) {
        String runId = job.getMetadata().getLabels().get(RUN_LABEL);
        if (!status.equals(lastStatus.put(runId, status))) {
            listener.changed(job.getMetadata().getLabels().get(SWEEP_LABEL), runId, status, reason);
        }
    }

    private String toJson(RunSpec spec) {
        try {
            return json.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
