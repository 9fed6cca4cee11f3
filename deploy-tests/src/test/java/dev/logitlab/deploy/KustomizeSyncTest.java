package dev.logitlab.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * k8s/ (kustomize base plus cpu and gpu overlays) is the chart rendered with its defaults, and the gpu overlay's
 * patch is the chart's GPU job template: this test fails when they drift. Regenerate with
 * {@code mvn -pl deploy-tests test -Dtest=KustomizeSyncTest -Dlogitlab.k8s.write=true}.
 */
class KustomizeSyncTest {

    static final Path K8S = Chart.DIR.getParent().getParent().resolve("k8s");
    static final String HEADER = "# Generated from helm/logitlab by KustomizeSyncTest (-Dlogitlab.k8s.write=true); do not edit.\n";

    @Test
    void baseAndOverlaysMatchTheChart() throws Exception {
        String base = HEADER + Chart.template(null, Map.of());
        ConfigMap gpuTemplate = HelmChartTestSupport.jobTemplate(Chart.resources(Chart.template("ci/gpu-values.yaml", Map.of())));
        String gpuPatch = HEADER + Chart.SERIALIZATION.asYaml(gpuTemplate);
        if (Boolean.getBoolean("logitlab.k8s.write")) {
            Files.writeString(K8S.resolve("base/logitlab.yaml"), base);
            Files.writeString(K8S.resolve("overlays/gpu/job-template-gpu.yaml"), gpuPatch);
        }
        assertEquals(names(Chart.resources(base)), names(Chart.resources(Files.readString(K8S.resolve("base/logitlab.yaml")))));
        assertEquals(Chart.resources(base), Chart.resources(Files.readString(K8S.resolve("base/logitlab.yaml"))),
                "k8s/base/logitlab.yaml differs from the chart: regenerate it (see the class comment)");
        assertEquals(gpuTemplate, Chart.SERIALIZATION.unmarshal(Files.readString(K8S.resolve("overlays/gpu/job-template-gpu.yaml")),
                ConfigMap.class), "the gpu overlay's job template differs from the chart's");
        for (String overlay : List.of("cpu", "gpu")) {
            String kustomization = Files.readString(K8S.resolve("overlays/" + overlay + "/kustomization.yaml"));
            assertTrue(kustomization.contains("../../base"), overlay + " builds on the base");
        }
        assertTrue(Files.readString(K8S.resolve("overlays/gpu/kustomization.yaml")).contains("job-template-gpu.yaml"));
        assertTrue(Files.readString(K8S.resolve("base/kustomization.yaml")).contains("logitlab.yaml"));
    }

    private static List<String> names(List<HasMetadata> resources) {
        return resources.stream().map(r -> r.getKind() + "/" + r.getMetadata().getName()).sorted().collect(Collectors.toList());
    }
}
