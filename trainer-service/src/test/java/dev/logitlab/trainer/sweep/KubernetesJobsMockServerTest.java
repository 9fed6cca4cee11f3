package dev.logitlab.trainer.sweep;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.RunSpec;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sweep's Job controller against Fabric8's Kubernetes mock server in CRUD mode: there is no API server on the
 * development machines, so Jobs and their status live in the mock. Jobs are created from the chart's GPU pod
 * template, status changes drive the runs, cancelling deletes the Jobs.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesJobsMockServerTest {

    static KubernetesClient client;

    static final RunSpec SPEC = new RunSpec("fashion-mnist", "small-cnn", "ls=0.5,gn=0.3", 3, 10000, 1000, 128, 1e-3,
            "adam", 7, new RunSpec.Evaluation(List.of(0.1), "default", 500, 200));

    private final List<String> changes = new CopyOnWriteArrayList<>();
    private KubernetesJobs jobs;

    @BeforeEach
    void start() throws Exception {
        // The chart's GPU job template, as the gpu overlay holds it (generated from helm/logitlab).
        var configMap = new io.fabric8.kubernetes.client.utils.KubernetesSerialization().unmarshal(
                java.nio.file.Files.readString(java.nio.file.Path.of("../k8s/overlays/gpu/job-template-gpu.yaml")),
                io.fabric8.kubernetes.api.model.ConfigMap.class);
        String template = configMap.getData().get("job-template.yaml");
        jobs = new KubernetesJobs(client, "logitlab", template,
                (sweep, run, status, reason) -> changes.add(sweep + " " + run + " " + status + (reason == null ? "" : " " + reason)))
                .start();
    }

    @AfterEach
    void stop() {
        jobs.close();
        client.batch().v1().jobs().inNamespace("logitlab").delete();
    }

    @Test
    void aJobPerRunWithTheTemplatesGpuAndTheRunInItsEnvironment() throws Exception {
        jobs.create("sweep-1", "run-aaa", SPEC);
        jobs.create("sweep-1", "run-bbb", SPEC);

        List<Job> created = client.batch().v1().jobs().inNamespace("logitlab").withLabel(KubernetesJobs.SWEEP_LABEL, "sweep-1")
                .list().getItems();
        assertEquals(2, created.size());
        Job job = client.batch().v1().jobs().inNamespace("logitlab").withName("logitlab-train-run-aaa").get();
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(new Quantity("1"), container.getResources().getLimits().get("nvidia.com/gpu"));
        assertEquals("nvidia", job.getSpec().getTemplate().getSpec().getRuntimeClassName());
        assertEquals("run-aaa", job.getSpec().getTemplate().getMetadata().getLabels().get(KubernetesJobs.RUN_LABEL));
        String spec = container.getEnv().stream().filter(e -> e.getName().equals("LOGITLAB_WORKER_SPEC")).findFirst()
                .orElseThrow().getValue();
        assertEquals(SPEC, new ObjectMapper().readValue(spec, RunSpec.class));
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.contains("sweep-1 run-aaa PENDING"));
    }

    @Test
    void jobStatusDrivesTheRunAndAFailureCarriesThePodsReason() {
        Job job = jobs.create("sweep-2", "run-ccc", SPEC);
        updateStatus(job, new JobStatusBuilder().withActive(1).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.contains("sweep-2 run-ccc RUNNING"));

        client.pods().inNamespace("logitlab").resource(new PodBuilder()
                .withNewMetadata().withName("logitlab-train-run-ccc-x1").addToLabels("job-name", job.getMetadata().getName())
                .endMetadata()
                .withNewStatus().withContainerStatuses(new ContainerStatusBuilder().withName("train")
                        .withNewState().withNewTerminated().withReason("OOMKilled").withExitCode(137).endTerminated()
                        .endState().build()).endStatus()
                .build()).create();
        updateStatus(job, new JobStatusBuilder().withFailed(1).withConditions(new JobConditionBuilder()
                .withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
                .withMessage("Job has reached the specified backoff limit").build()).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.stream().anyMatch(c -> c.startsWith("sweep-2 run-ccc FAILED")));
        String failed = changes.stream().filter(c -> c.startsWith("sweep-2 run-ccc FAILED")).findFirst().orElseThrow();
        assertTrue(failed.contains("BackoffLimitExceeded") && failed.contains("OOMKilled (exit 137)"), failed);
    }

    @Test
    void successIsReportedOnceAndCancellingDeletesTheSweepsJobs() {
        Job done = jobs.create("sweep-3", "run-ddd", SPEC);
        jobs.create("sweep-3", "run-eee", SPEC);
        jobs.create("other", "run-fff", SPEC);
        updateStatus(done, new JobStatusBuilder().withSucceeded(1).build());
        updateStatus(done, new JobStatusBuilder().withSucceeded(1).withActive(0).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.contains("sweep-3 run-ddd SUCCEEDED"));

        jobs.delete("sweep-3");
        await().atMost(Duration.ofSeconds(10)).until(() -> client.batch().v1().jobs().inNamespace("logitlab")
                .withLabel(KubernetesJobs.SWEEP_LABEL, "sweep-3").list().getItems().isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.contains("sweep-3 run-eee CANCELLED the Job was deleted"));
        assertEquals(1, changes.stream().filter(c -> c.equals("sweep-3 run-ddd SUCCEEDED")).count());
        assertTrue(changes.stream().noneMatch(c -> c.startsWith("sweep-3 run-ddd CANCELLED")), "a finished run stays finished");
        assertEquals(1, client.batch().v1().jobs().inNamespace("logitlab").withLabel(KubernetesJobs.SWEEP_LABEL, "other")
                .list().getItems().size(), "other sweeps' Jobs are left alone");
    }

    @Test
    void creatingAJobTwiceIsOneJobEveryJobEndsAndJobsInFlightCountPerSubject() {
        Job first = jobs.create("sweep-4", "run-ggg", SPEC, "sam");
        Job again = jobs.create("sweep-4", "run-ggg", SPEC, "sam"); // a restarted trainer resuming the sweep
        assertEquals(first.getMetadata().getUid(), again.getMetadata().getUid());
        assertEquals(1, client.batch().v1().jobs().inNamespace("logitlab").withLabel(KubernetesJobs.RUN_LABEL, "run-ggg")
                .list().getItems().size());
        assertEquals(KubernetesJobs.DEFAULT_DEADLINE_SECONDS, first.getSpec().getActiveDeadlineSeconds(),
                "the chart's template gives no deadline: the default applies");
        assertEquals(1, first.getSpec().getBackoffLimit(), "the chart's backoff limit");

        jobs.create("sweep-4", "run-hhh", SPEC, "sam");
        jobs.create("sweep-5", "run-iii", SPEC, "someone@example.org/with spaces");
        assertEquals(2, jobs.inFlight("sam"));
        updateStatus(first, new JobStatusBuilder().withSucceeded(1).build());
        assertEquals(1, jobs.inFlight("sam"), "a Job that ended is not in flight");
        assertEquals(1, jobs.inFlight("someone@example.org/with spaces"), "any subject, as a valid label value");
        assertEquals(1, jobs.gpusPerJob(), "the GPU template asks for one GPU a Job");
    }

    @Test
    void twoReplicasCreatingAtOnceNeverPassASubjectsQuotaTheLaterJobsAreTheOnesDeleted() {
        // two replicas each saw room for two more of quinn's Jobs (quota 2) and created them
        Job first = jobs.create("sweep-6", "run-q1", SPEC, "quinn");
        Job second = jobs.create("sweep-6", "run-q2", SPEC, "quinn");
        Job third = jobs.create("sweep-7", "run-q3", SPEC, "quinn");
        Job fourth = jobs.create("sweep-7", "run-q4", SPEC, "quinn");
        assertEquals(java.util.Set.of(), jobs.overQuota("quinn", 2, List.of(first, second)));
        assertEquals(java.util.Set.of("run-q3", "run-q4"), jobs.overQuota("quinn", 2, List.of(third, fourth)));
        assertEquals(2, jobs.inFlight("quinn"));
        assertEquals(List.of(), client.batch().v1().jobs().inNamespace("logitlab")
                .withLabel(KubernetesJobs.RUN_LABEL, "run-q3").list().getItems());
    }

    private static void updateStatus(Job job, io.fabric8.kubernetes.api.model.batch.v1.JobStatus status) {
        Job current = client.batch().v1().jobs().inNamespace("logitlab").withName(job.getMetadata().getName()).get();
        current.setStatus(status);
        client.batch().v1().jobs().inNamespace("logitlab").resource(current).updateStatus();
    }
}
