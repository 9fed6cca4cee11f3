package dev.logitlab.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.cli.images.ServiceImage;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models from outside run in a container of their own beside the attack and analysis services: the one that
 * executes them has no Secret, no Kafka setting, no service-account token, a read-only root and a memory limit, and
 * the service reaches it over the socket in the volume they share.
 */
class ModelRunnerChartTest {

    static final String SOCKET = "/run/logitlab/sandbox/runner.sock";

    @ParameterizedTest
    @ValueSource(strings = {"", "ci/sasl-plain-kafka-values.yaml", "ci/strimzi-values.yaml"})
    void theContainerThatRunsModelsHoldsNoSecretAndTheServiceReachesItOverItsSocket(String values) {
        List<Deployment> deployments = Chart.ofType(Chart.resources(Chart.template(values.isEmpty() ? null : values,
                Map.of())), Deployment.class);
        for (Deployment d : deployments) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            String name = d.getMetadata().getName();
            if (name.endsWith("-trainer")) {
                assertEquals(1, pod.getContainers().size(), "the trainer runs our models only");
                continue;
            }
            assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), name);
            Container service = pod.getContainers().get(0);
            Container runner = pod.getContainers().get(1);
            assertEquals("model-runner", runner.getName());
            assertEquals(SOCKET, service.getEnv().stream().filter(e -> e.getName().equals("LOGITLAB_SANDBOX_RUNNER"))
                    .findFirst().orElseThrow().getValue(), name);
            assertEquals(ServiceImage.MODEL_RUNNER, runner.getCommand().subList(0, ServiceImage.MODEL_RUNNER.size()),
                    "the image's runner, as ImagesTest starts it");
            assertTrue(runner.getCommand().contains(SOCKET), runner.getCommand().toString());
            String shared = mountOf(runner, "/run/logitlab/sandbox");
            assertEquals(shared, mountOf(service, "/run/logitlab/sandbox"), "one volume for the socket");

            Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
            for (VolumeMount m : runner.getVolumeMounts()) {
                Volume v = volumes.get(m.getName());
                assertTrue(v.getSecret() == null && v.getProjected() == null && v.getConfigMap() == null,
                        name + ": the runner mounts " + m.getName());
                assertTrue(v.getPersistentVolumeClaim() == null || Boolean.TRUE.equals(m.getReadOnly())
                        && !m.getName().equals("store"), name + ": no store, only the data sets read-only");
            }
            for (EnvVar e : runner.getEnv()) {
                assertTrue(e.getValueFrom() == null, name + ": " + e.getName() + " comes from elsewhere");
                assertFalse(e.getName().startsWith("KAFKA") || e.getName().contains("JWT"), e.getName());
            }
            assertTrue(runner.getSecurityContext().getReadOnlyRootFilesystem());
            assertEquals(List.of("ALL"), runner.getSecurityContext().getCapabilities().getDrop());
            assertNotNull(runner.getResources().getLimits().get("memory"), "the runner has its own memory limit");
        }
    }

    /** The default gives each model its namespaces; a cluster that enforces the Restricted standard opts down. */
    @ParameterizedTest
    @ValueSource(strings = {"", "container"})
    void bubblewrapWallsByDefaultInAPodOfItsOwnUsersAndContainerWallsWithinTheRestrictedStandard(String walls) {
        Map<String, Object> set = walls.isEmpty() ? Map.of() : Map.of("sandbox.walls", walls);
        boolean bubblewrap = walls.isEmpty();
        for (Deployment d : Chart.ofType(Chart.resources(Chart.template(null, set)), Deployment.class)) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            if (d.getMetadata().getName().endsWith("-trainer")) {
                assertEquals(null, pod.getHostUsers(), "the trainer's pod is as it was");
                continue;
            }
            Container runner = pod.getContainers().get(1);
            int at = runner.getCommand().indexOf("--walls");
            assertEquals(bubblewrap ? "bubblewrap" : "container", runner.getCommand().get(at + 1));
            assertEquals(bubblewrap ? Boolean.FALSE : null, pod.getHostUsers());
            assertEquals(bubblewrap ? "Unconfined" : "RuntimeDefault",
                    runner.getSecurityContext().getSeccompProfile().getType());
            assertEquals(bubblewrap ? "Unmasked" : null, runner.getSecurityContext().getProcMount());
        }
    }

    private static String mountOf(Container c, String path) {
        Set<String> names = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path))
                .map(VolumeMount::getName).collect(Collectors.toSet());
        assertEquals(1, names.size(), c.getName() + " mounts " + path + " once");
        return names.iterator().next();
    }
}
