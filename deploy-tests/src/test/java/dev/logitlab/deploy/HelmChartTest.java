package dev.logitlab.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import dev.logitlab.cli.images.ServiceImage;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The chart through real Helm: lint, template with every ci/*-values.yaml, and what the rendered objects say. */
class HelmChartTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "ci/gpu-values.yaml", "ci/strimzi-values.yaml", "ci/keda-values.yaml",
        "ci/sasl-plain-kafka-values.yaml"})
    void lintsAndRendersIntoKnownFieldsOnly(String values) {
        LintResult lint = new Helm(Chart.DIR).lint().strict().call();
        assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
        List<HasMetadata> resources = Chart.resources(Chart.template(values.isEmpty() ? null : values, Map.of()));
        assertTrue(resources.size() > 10, "rendered " + resources.size() + " objects");
        for (HasMetadata resource : resources) {
            assertEquals(List.of(), unknownFields(resource), resource.getKind() + "/" + resource.getMetadata().getName());
        }
        Job job = trainingJob(resources);
        assertEquals(List.of(), unknownFields(job), "the training Job template");
    }

    @Test
    void everyServiceHasProbesRestrictedSecurityAndNoGpu() throws Exception {
        List<HasMetadata> resources = Chart.resources(Chart.template(null, Map.of()));
        List<Deployment> deployments = Chart.ofType(resources, Deployment.class);
        assertEquals(Set.of("logitlab-logitlab-trainer", "logitlab-logitlab-attack", "logitlab-logitlab-analysis"),
                deployments.stream().map(d -> d.getMetadata().getName()).collect(Collectors.toSet()));
        for (Deployment d : deployments) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertRestricted(pod);
            Container c = pod.getContainers().get(0);
            assertEquals("/q/health/started", c.getStartupProbe().getHttpGet().getPath());
            assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath());
            assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath());
            assertFalse(hasGpu(c), d.getMetadata().getName() + " must not ask for a GPU");
            assertEquals("true", d.getSpec().getTemplate().getMetadata().getAnnotations().get("prometheus.io/scrape"));
            assertTrue(c.getEnv().stream().anyMatch(e -> e.getName().equals("DJL_CACHE_DIR")));
            assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("tmp") && v.getEmptyDir() != null),
                    "a writable /tmp under the read-only root");
        }
        assertEquals(3, Chart.ofType(resources, PodDisruptionBudget.class).size());
        assertEquals(4, Chart.ofType(resources, NetworkPolicy.class).size(), "one per service and one for training Jobs");
        PersistentVolumeClaim store = Chart.ofType(resources, PersistentVolumeClaim.class).get(0);
        assertEquals(List.of("ReadWriteMany"), store.getSpec().getAccessModes());
        assertFalse(hasGpu(trainingJob(resources).getSpec().getTemplate().getSpec().getContainers().get(0)),
                "training Jobs are CPU-only unless gpu.enabled");
        // helm-java's template leaves test hooks out; lint renders them, and the hook must be declared as one.
        String hook = java.nio.file.Files.readString(Chart.DIR.resolve("templates/tests/test-health.yaml"));
        assertTrue(hook.contains("helm.sh/hook: test") && hook.contains("/q/health/ready"), "a helm test hook");
    }

    @Test
    void theDefaultsAreSecureKafkaOverSaslSslReadOnlyStoresForReadersAndFencedJobsThatEnd() {
        List<HasMetadata> resources = Chart.resources(Chart.template(null, Map.of()));
        for (Deployment d : Chart.ofType(resources, Deployment.class)) {
            String service = d.getMetadata().getLabels().get("app.kubernetes.io/component");
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertEquals("SASL_SSL", env(c, "KAFKA_SECURITY_PROTOCOL"), service + " speaks SASL_SSL unless told not to");
            assertEquals("logitlab", env(c, "LOGITLAB_JWT_AUDIENCE"), service + " checks the tokens' audience");
            boolean readOnly = c.getVolumeMounts().stream().filter(m -> m.getName().equals("store")).findFirst()
                    .orElseThrow().getReadOnly() == Boolean.TRUE;
            assertEquals(!service.equals("trainer"), readOnly, service + ": the store is written only by the trainer");
        }
        Job job = trainingJob(resources);
        assertEquals(86400L, job.getSpec().getActiveDeadlineSeconds());
        assertEquals(1, job.getSpec().getBackoffLimit());
        NetworkPolicy jobs = Chart.ofType(resources, NetworkPolicy.class).stream()
                .filter(p -> p.getMetadata().getName().endsWith("-training-job")).findFirst().orElseThrow();
        assertEquals("training-job", jobs.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/component"));
        assertTrue(jobs.getSpec().getIngress().isEmpty(), "nothing may call a training Job");
        assertEquals(Set.of(9092, 53), jobs.getSpec().getEgress().stream().flatMap(e -> e.getPorts().stream())
                .map(p -> p.getPort().getIntVal()).collect(Collectors.toSet()), "Kafka and DNS only");
        List<HasMetadata> plaintext = Chart.resources(Chart.template(null, Map.of("kafka.sasl.enabled", "false")));
        assertNull(envOrNull(Chart.ofType(plaintext, Deployment.class).get(0).getSpec().getTemplate().getSpec().getContainers()
                .get(0), "KAFKA_SECURITY_PROTOCOL"), "PLAINTEXT only when asked for explicitly");
    }

    private static String envOrNull(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(e -> e.getValue()).findFirst().orElse(null);
    }

    @Test
    void everyServiceVerifiesTokensWithTheMountedKeyOrAnOidcProvider() {
        for (Deployment d : Chart.ofType(Chart.resources(Chart.template(null, Map.of())), Deployment.class)) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            Container c = pod.getContainers().get(0);
            assertEquals("/etc/logitlab-jwt/public.pem", env(c, "LOGITLAB_JWT_PUBLIC_KEY"), d.getMetadata().getName());
            assertEquals("logitlab", env(c, "LOGITLAB_JWT_ISSUER"));
            assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/etc/logitlab-jwt")
                    && Boolean.TRUE.equals(m.getReadOnly())));
            assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getSecret() != null
                    && v.getSecret().getSecretName().equals("logitlab-jwt")));
        }
        Map<String, Object> oidc = Map.of("auth.jwksUrl", "https://idp.example.com/jwks", "auth.issuer", "https://idp.example.com");
        for (Deployment d : Chart.ofType(Chart.resources(Chart.template(null, oidc)), Deployment.class)) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertEquals("https://idp.example.com/jwks", env(pod.getContainers().get(0), "LOGITLAB_JWT_PUBLIC_KEY"));
            assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getName().equals("jwt")), "no key Secret to mount");
        }
    }

    @Test
    void heapLeavesHalfTheMemoryToLibtorchAndThreadsFollowTheCpuRequest() {
        Map<String, Object> set = Map.of("attack.resources.requests.cpu", "3", "analysis.resources.requests.cpu", "500m");
        for (Deployment d : Chart.ofType(Chart.resources(Chart.template(null, set)), Deployment.class)) {
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertTrue(env(c, "JAVA_TOOL_OPTIONS").contains("-XX:MaxRAMPercentage=50"), d.getMetadata().getName());
            String expected = switch (c.getName()) {
                case "attack" -> "3";
                case "analysis" -> "1"; // half a CPU still gets one thread
                default -> "2";
            };
            assertEquals(expected, env(c, "LOGITLAB_THREADS"), d.getMetadata().getName());
        }
        String job = HelmChartTestSupport.jobTemplate(Chart.resources(Chart.template(null, Map.of()))).getData().values()
                .iterator().next();
        assertTrue(job.contains("LOGITLAB_THREADS") && job.contains("value: \"4\""), "a training Job uses its 4 CPUs");
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow().getValue();
    }

    @Test
    void theDefaultValuesPullTheImagesLabImagesBuilds() {
        ServiceImage.Naming built = ServiceImage.Naming.chartDefaults(Chart.DIR.getParent().getParent());
        for (Deployment d : Chart.ofType(Chart.resources(Chart.template(null, Map.of())), Deployment.class)) {
            String service = d.getMetadata().getLabels().get("app.kubernetes.io/component");
            assertEquals(built.of(service, false), d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        }
        assertEquals(built.of("trainer", false), trainingJob(Chart.resources(Chart.template(null, Map.of())))
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(built.of("trainer", true), trainingJob(Chart.resources(Chart.template("ci/gpu-values.yaml", Map.of())))
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    }

    @Test
    void onGpuClustersOnlyTrainingJobsGetGpus() {
        List<HasMetadata> resources = Chart.resources(Chart.template("ci/gpu-values.yaml", Map.of()));
        for (Deployment d : Chart.ofType(resources, Deployment.class)) {
            assertFalse(hasGpu(d.getSpec().getTemplate().getSpec().getContainers().get(0)), d.getMetadata().getName());
        }
        PodSpec job = trainingJob(resources).getSpec().getTemplate().getSpec();
        Container train = job.getContainers().get(0);
        assertEquals(new Quantity("1"), train.getResources().getLimits().get("nvidia.com/gpu"));
        assertEquals(new Quantity("1"), train.getResources().getRequests().get("nvidia.com/gpu"));
        assertEquals("nvidia", job.getRuntimeClassName());
        assertEquals("true", job.getNodeSelector().get("nvidia.com/gpu.present"));
        assertEquals("nvidia.com/gpu", job.getTolerations().get(0).getKey());
        assertTrue(train.getImage().contains("trainer-service-cuda:"), train.getImage());
        assertTrue(train.getEnv().stream().anyMatch(e -> e.getName().equals("PYTORCH_FLAVOR")));
        assertRestricted(job);
    }

    @Test
    void onlyTheTrainerMayTouchTheApiAndOnlyJobsInItsNamespace() {
        List<HasMetadata> resources = Chart.resources(Chart.template(null, Map.of()));
        assertEquals(List.of(), Chart.ofType(resources, ClusterRole.class), "no cluster-wide rights");
        List<Role> roles = Chart.ofType(resources, Role.class);
        assertEquals(1, roles.size());
        Map<String, Set<String>> rules = roles.get(0).getRules().stream().collect(Collectors.toMap(
                r -> String.join(",", r.getApiGroups()) + "/" + String.join(",", r.getResources()),
                r -> Set.copyOf(r.getVerbs())));
        assertEquals(Map.of(
                "batch/jobs", Set.of("create", "get", "list", "watch", "delete"),
                "/pods", Set.of("get", "list", "watch"),
                "/pods/log", Set.of("get")), rules);
        RoleBinding binding = Chart.ofType(resources, RoleBinding.class).get(0);
        assertEquals(List.of("logitlab-logitlab-trainer"),
                binding.getSubjects().stream().map(s -> s.getName()).toList());
        for (Deployment d : Chart.ofType(resources, Deployment.class)) {
            boolean trainer = d.getMetadata().getName().endsWith("-trainer");
            Boolean token = d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken();
            assertEquals(trainer ? null : Boolean.FALSE, token, d.getMetadata().getName());
        }
    }

    @Test
    void strimziTopicsAndKedaScalingAreOptIn() {
        List<HasMetadata> strimzi = Chart.resources(Chart.template("ci/strimzi-values.yaml", Map.of()));
        List<GenericKubernetesResource> topics = strimzi.stream().filter(r -> r.getKind().equals("KafkaTopic"))
                .map(GenericKubernetesResource.class::cast).toList();
        // the same topics as the services create themselves
        assertEquals(dev.logitlab.events.Topics.ALL.size(), topics.size());
        for (dev.logitlab.events.Topics.TopicSpec expected : dev.logitlab.events.Topics.ALL) {
            GenericKubernetesResource topic = topics.stream()
                    .filter(t -> expected.name().equals(spec(t).get("topicName"))).findFirst().orElseThrow();
            assertEquals(expected.partitions(), ((Number) spec(topic).get("partitions")).intValue(), expected.name());
            assertEquals(expected.compacted() ? "compact" : "delete",
                    ((Map<?, ?>) spec(topic).get("config")).get("cleanup.policy"), expected.name());
            assertEquals(2, ((Number) ((Map<?, ?>) spec(topic).get("config")).get("min.insync.replicas")).intValue());
            assertEquals("kafka", topic.getMetadata().getLabels().get("strimzi.io/cluster"));
        }
        for (Deployment d : Chart.ofType(strimzi, Deployment.class)) {
            assertTrue(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream().anyMatch(e ->
                    e.getName().equals("LOGITLAB_TOPICS_CREATE") && e.getValue().equals("false")), "Strimzi owns the topics");
        }

        List<HasMetadata> keda = Chart.resources(Chart.template("ci/keda-values.yaml", Map.of()));
        GenericKubernetesResource scaled = keda.stream().filter(r -> r.getKind().equals("ScaledObject"))
                .map(GenericKubernetesResource.class::cast).findFirst().orElseThrow();
        Map<?, ?> trigger = (Map<?, ?>) ((List<?>) spec(scaled).get("triggers")).get(0);
        assertEquals("kafka", trigger.get("type"));
        assertEquals("logitlab.attack-tasks", ((Map<?, ?>) trigger.get("metadata")).get("topic"));
        int tasks = dev.logitlab.events.Topics.ALL.stream().filter(t -> t.name().equals("logitlab.attack-tasks"))
                .findFirst().orElseThrow().partitions();
        assertTrue(((Number) spec(scaled).get("maxReplicaCount")).intValue() <= tasks, "KEDA never scales past the partitions");
        Deployment attack = Chart.ofType(keda, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().endsWith("-attack")).findFirst().orElseThrow();
        assertNull(attack.getSpec().getReplicas(), "KEDA owns the attack service's replica count");
        assertTrue(keda.stream().anyMatch(r -> r.getKind().equals("ServiceMonitor")));
        assertTrue(Chart.resources(Chart.template(null, Map.of())).stream()
                .noneMatch(r -> Set.of("KafkaTopic", "ScaledObject", "ServiceMonitor").contains(r.getKind())));
    }

    @Test
    void aPrometheusRuleAlertsOnRegressionsMaskingAndOverfittingWhenEnabled() {
        assertTrue(Chart.resources(Chart.template(null, Map.of())).stream()
                .noneMatch(r -> r.getKind().equals("PrometheusRule")), "off by default: it needs the monitoring CRDs");
        List<HasMetadata> resources = Chart.resources(Chart.template(null, Map.of("metrics.prometheusRule.enabled", "true")));
        var rule = (io.fabric8.kubernetes.api.model.GenericKubernetesResource) resources.stream()
                .filter(r -> r.getKind().equals("PrometheusRule")).findFirst().orElseThrow();
        Map<?, ?> spec = (Map<?, ?>) rule.getAdditionalProperties().get("spec");
        List<?> rules = (List<?>) ((Map<?, ?>) ((List<?>) spec.get("groups")).get(0)).get("rules");
        Set<String> watched = new java.util.TreeSet<>();
        for (Object r : rules) {
            String expr = (String) ((Map<?, ?>) r).get("expr");
            assertTrue(expr.contains("logitlab_verdicts_total"), expr);
            watched.add(expr.replaceAll(".*kind=\"([a-z-]+)\".*", "$1"));
        }
        assertEquals(Set.of("regressed", "masking-suspected", "robust-overfitting"), watched);
        // The counter the rules read is the one the analysis service exports, kinds included.
        assertTrue(dev.logitlab.events.Verdict.KINDS.containsAll(watched));
    }

    @Test
    void theValuesSchemaRefusesNonsense() {
        var e = assertThrows(IllegalStateException.class, () -> Chart.template(null, Map.of("trainer.port", "http")));
        assertTrue(e.getMessage().contains("trainer") && e.getMessage().contains("port"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Chart.template(null, Map.of("gpu.colour", "green")));
        var tooMany = assertThrows(IllegalStateException.class, () -> Chart.template(null, Map.of("keda.maxReplicas", "13")));
        assertTrue(tooMany.getMessage().contains("maxReplicas"), tooMany.getMessage());
    }

    static Job trainingJob(List<HasMetadata> resources) {
        ConfigMap template = HelmChartTestSupport.jobTemplate(resources);
        return Chart.SERIALIZATION.unmarshal(template.getData().get("job-template.yaml"), Job.class);
    }

    private static void assertRestricted(PodSpec pod) {
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        for (Container c : pod.getContainers()) {
            var sc = c.getSecurityContext();
            assertTrue(sc.getReadOnlyRootFilesystem(), c.getName());
            assertFalse(sc.getAllowPrivilegeEscalation(), c.getName());
            assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), c.getName());
        }
    }

    private static boolean hasGpu(Container c) {
        var r = c.getResources();
        return r != null && ((r.getLimits() != null && r.getLimits().containsKey("nvidia.com/gpu"))
                || (r.getRequests() != null && r.getRequests().containsKey("nvidia.com/gpu")));
    }

    private static Map<?, ?> spec(GenericKubernetesResource resource) {
        return (Map<?, ?>) resource.getAdditionalProperties().get("spec");
    }

    /** Fields the typed model did not know, anywhere in an object (custom resources are generic by design). */
    static List<String> unknownFields(Object root) {
        List<String> unknown = new ArrayList<>();
        walk(root, "", unknown, new IdentityHashMap<>());
        return unknown;
    }

    private static void walk(Object node, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (node == null || node instanceof GenericKubernetesResource || seen.put(node, true) != null) {
            return;
        }
        if (node instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                walk(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, unknown, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                Object value = m.invoke(node);
                if (m.getName().equals("getAdditionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + " " + extra.keySet());
                    }
                } else if (value instanceof KubernetesResource || value instanceof Collection<?> || value instanceof Map<?, ?>) {
                    walk(value, path + "." + m.getName().substring(3), unknown, seen);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
