package dev.logitlab.service;

import dev.logitlab.core.model.Torch;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Sets libtorch's thread count ({@code logitlab.threads}, 0 = one per core) before anything loads the engine. */
@ApplicationScoped
public class TorchSetup {

    @ConfigProperty(name = "logitlab.threads", defaultValue = "0")
    int threads;

    void start(@Observes StartupEvent event) {
        Torch.threads(threads);
    }
}
