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

    /** Creates the Job of one run from the template; the worker reads its run from the environment. */
    public Job create(String sweepId, String runId, RunSpec spec) {
        Job job = serialization.unmarshal(template, Job.class);
        job.getMetadata().setName(("logitlab-train-" + runId).toLowerCase());
        job.getMetadata().setNamespace(namespace);
        job.getMetadata().getLabels().put(SWEEP_LABEL, sweepId);
        job.getMetadata().getLabels().put(RUN_LABEL, runId);
        job.getSpec().getTemplate().getMetadata().getLabels().put(SWEEP_LABEL, sweepId);
        job.getSpec().getTemplate().getMetadata().getLabels().put(RUN_LABEL, runId);
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        container.getEnv().add(new EnvVar("LOGITLAB_WORKER_RUN_ID", runId, null));
        container.getEnv().add(new EnvVar("LOGITLAB_WORKER_SPEC", toJson(spec), null));
        return client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
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
