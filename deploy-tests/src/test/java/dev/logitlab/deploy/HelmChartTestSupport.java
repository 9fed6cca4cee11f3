package dev.logitlab.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/** Finds the training-Job template among rendered objects. */
final class HelmChartTestSupport {

    private HelmChartTestSupport() {
    }

    static ConfigMap jobTemplate(List<HasMetadata> resources) {
        return Chart.ofType(resources, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().endsWith("-job-template")).findFirst().orElseThrow();
    }
}
