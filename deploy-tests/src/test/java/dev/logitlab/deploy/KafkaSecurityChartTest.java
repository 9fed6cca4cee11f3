package dev.logitlab.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.cli.stack.LocalKafkaSecurity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;

/**
 * Kafka over SASL_SSL in the chart, rendered by real Helm: every pod that talks to Kafka (each service, the training
 * Jobs, KEDA's scaler) has its own service's credentials and the cluster CA, and the Strimzi KafkaUsers grant exactly
 * what the local stack's broker grants.
 */
class KafkaSecurityChartTest {

    @Test
    void everyPodThatTalksToKafkaHasItsOwnCredentialsAndTheTruststore() {
        List<HasMetadata> resources = Chart.resources(Chart.template("ci/sasl-plain-kafka-values.yaml", Map.of()));
        for (Deployment d : Chart.ofType(resources, Deployment.class)) {
            String service = d.getMetadata().getLabels().get("app.kubernetes.io/component");
            assertHasCredentials(d.getSpec().getTemplate().getSpec(), "logitlab-" + service + "-scram", "kafka-ca", "ca.pem");
        }
        assertHasCredentials(HelmChartTest.trainingJob(resources).getSpec().getTemplate().getSpec(),
                "logitlab-trainer-scram", "kafka-ca", "ca.pem");

        GenericKubernetesResource scaled = kind(resources, "ScaledObject").get(0);
        Map<?, ?> trigger = (Map<?, ?>) ((List<?>) spec(scaled).get("triggers")).get(0);
        String authName = (String) ((Map<?, ?>) trigger.get("authenticationRef")).get("name");
        GenericKubernetesResource auth = kind(resources, "TriggerAuthentication").get(0);
        assertEquals(authName, auth.getMetadata().getName());
        Map<String, String> fromSecrets = ((List<?>) spec(auth).get("secretTargetRef")).stream().map(Map.class::cast)
                .collect(Collectors.toMap(m -> (String) m.get("parameter"), m -> m.get("name") + "/" + m.get("key")));
        assertEquals(Map.of("password", "logitlab-attack-scram/password", "ca", "kafka-ca/ca.pem"), fromSecrets);
        Container attack = Chart.ofType(resources, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().endsWith("-attack")).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        for (Object ref : (List<?>) spec(auth).get("env")) {
            String name = (String) ((Map<?, ?>) ref).get("name");
            assertTrue(attack.getEnv().stream().anyMatch(e -> e.getName().equals(name)), "KEDA reads " + name + " from the attack pod");
        }
        assertTrue(kind(resources, "KafkaUser").isEmpty(), "not Strimzi: the Secrets exist already");
    }

    @Test
    void strimziKafkaUsersGrantWhatTheLocalBrokerGrants() {
        List<HasMetadata> resources = Chart.resources(Chart.template("ci/strimzi-values.yaml", Map.of()));
        Set<String> chart = new TreeSet<>();
        for (GenericKubernetesResource user : kind(resources, "KafkaUser")) {
            assertEquals("scram-sha-512", ((Map<?, ?>) spec(user).get("authentication")).get("type"));
            String service = user.getMetadata().getName().replace("logitlab-", "");
            for (Object a : (List<?>) ((Map<?, ?>) spec(user).get("authorization")).get("acls")) {
                Map<?, ?> acl = (Map<?, ?>) a;
                Map<?, ?> resource = (Map<?, ?>) acl.get("resource");
                for (Object op : (List<?>) acl.get("operations")) {
                    chart.add(String.join(" ", service, ((String) resource.get("type")).toLowerCase(Locale.ROOT),
                            (String) resource.get("name"), (String) resource.get("patternType"),
                            ((String) op).toLowerCase(Locale.ROOT)));
                }
            }
        }
        Set<String> local = new TreeSet<>();
        for (AclBinding b : LocalKafkaSecurity.acls()) {
            String type = switch (b.pattern().resourceType()) {
                case TRANSACTIONAL_ID -> "transactionalid";
                default -> b.pattern().resourceType().name().toLowerCase(Locale.ROOT);
            };
            local.add(String.join(" ", b.entry().principal().replace("User:", ""), type, b.pattern().name(),
                    b.pattern().patternType().name().equals("PREFIXED") ? "prefix" : "literal",
                    b.entry().operation().name().toLowerCase(Locale.ROOT)));
        }
        assertEquals(local, chart);
        for (Deployment d : Chart.ofType(resources, Deployment.class)) {
            String service = d.getMetadata().getLabels().get("app.kubernetes.io/component");
            assertHasCredentials(d.getSpec().getTemplate().getSpec(), "logitlab-" + service, "kafka-cluster-ca-cert", "ca.crt");
        }
    }

    private static void assertHasCredentials(PodSpec pod, String userSecret, String caSecret, String caKey) {
        Container c = pod.getContainers().get(0);
        assertEquals("SASL_SSL", env(c, "KAFKA_SECURITY_PROTOCOL").getValue());
        assertEquals("SCRAM-SHA-512", env(c, "KAFKA_SASL_MECHANISM").getValue());
        EnvVar jaas = env(c, "KAFKA_SASL_JAAS_CONFIG");
        assertEquals(userSecret, jaas.getValueFrom().getSecretKeyRef().getName());
        assertEquals("sasl.jaas.config", jaas.getValueFrom().getSecretKeyRef().getKey());
        assertEquals("PEM", env(c, "KAFKA_SSL_TRUSTSTORE_TYPE").getValue());
        assertEquals("/etc/kafka-ca/" + caKey, env(c, "KAFKA_SSL_TRUSTSTORE_LOCATION").getValue());
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("kafka-ca")
                && m.getMountPath().equals("/etc/kafka-ca")));
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("kafka-ca")
                && v.getSecret().getSecretName().equals(caSecret)));
    }

    private static EnvVar env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no " + name));
    }

    private static List<GenericKubernetesResource> kind(List<HasMetadata> resources, String kind) {
        return resources.stream().filter(r -> r.getKind().equals(kind)).map(GenericKubernetesResource.class::cast).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource r) {
        return (Map<String, Object>) r.getAdditionalProperties().get("spec");
    }
}
