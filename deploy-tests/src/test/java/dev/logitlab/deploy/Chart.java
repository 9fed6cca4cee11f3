package dev.logitlab.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The chart rendered by real Helm (helm-java) and read into Fabric8's typed model. */
final class Chart {

    static final Path DIR = repository().resolve("helm/logitlab");
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Chart() {
    }

    /** {@code helm template logitlab helm/logitlab -n logitlab [-f values] [--set k=v]} */
    static String template(String valuesFile, Map<String, Object> set) {
        TemplateCommand command = new Helm(DIR).template().withName("logitlab").withNamespace("logitlab");
        if (valuesFile != null) {
            command = command.withValuesFile(DIR.resolve(valuesFile));
        }
        for (Map.Entry<String, Object> e : set.entrySet()) {
            command = command.set(e.getKey(), e.getValue());
        }
        return command.call();
    }

    static List<HasMetadata> resources(String yaml) {
        List<HasMetadata> resources = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.lines().anyMatch(l -> l.startsWith("kind:"))) {
                resources.add(SERIALIZATION.unmarshal(document));
            }
        }
        return resources;
    }

    static <T extends HasMetadata> List<T> ofType(List<HasMetadata> resources, Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static Path repository() {
        Path here = Path.of("").toAbsolutePath();
        return here.getFileName().toString().equals("deploy-tests") ? here.getParent() : here;
    }
}
