package dev.logitlab.service;

import dev.logitlab.core.sandbox.Sandbox;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the services run models from outside ({@code logitlab.sandbox.*}, {@code LOGITLAB_SANDBOX_*}): a worker
 * process per model behind bubblewrap's walls, started by the service itself (the local stack), or by the model
 * runner beside it ({@code runner}: its socket; the chart's model-runner container, which holds no credential).
 */
@ConfigMapping(prefix = "logitlab.sandbox")
public interface SandboxConfig {

    /** {@code bubblewrap}: kernel namespaces and read-only binds per worker; {@code container}: a plain process. */
    @WithDefault("bubblewrap")
    String walls();

    /** A worker's address-space cap ({@code 6g}): past it a tensor fails to allocate, in that worker only. */
    @WithDefault("6g")
    String memory();

    /** How long starting a worker and loading its model may take. */
    @WithDefault("PT2M")
    Duration startLimit();

    /** A model runner's Unix socket: workers are started there, not in this process's container. */
    Optional<Path> runner();

    default Sandbox sandbox() {
        return Sandbox.DEFAULTS.withWalls(Sandbox.Walls.valueOf(walls().toUpperCase(Locale.ROOT)))
                .withMemory(Sandbox.bytes(memory())).withStartLimit(startLimit()).withRunner(runner().orElse(null));
    }
}
