package dev.logitlab.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when the checkpoint store exists and can be written, or, for a service that only reads it
 * ({@code logitlab.store.writes=false}: attack and analysis, which the chart mounts it read-only in), read.
 */
@Readiness
@ApplicationScoped
public class StoreHealthCheck implements HealthCheck {

    @ConfigProperty(name = "logitlab.store.root")
    Path storeRoot;

    @ConfigProperty(name = "logitlab.store.writes", defaultValue = "true")
    boolean writes;

    @Override
    public HealthCheckResponse call() {
        if (writes) {
            try {
                Files.createDirectories(storeRoot);
            } catch (java.io.IOException e) {
                // reported below
            }
        }
        boolean usable = Files.isDirectory(storeRoot)
                && (writes ? Files.isWritable(storeRoot) : Files.isReadable(storeRoot));
        return HealthCheckResponse.named("checkpoint-store").status(usable)
                .withData("root", storeRoot.toAbsolutePath().toString()).build();
    }
}
