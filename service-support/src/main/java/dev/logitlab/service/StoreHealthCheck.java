package dev.logitlab.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the checkpoint store exists and can be written. */
@Readiness
@ApplicationScoped
public class StoreHealthCheck implements HealthCheck {

    @ConfigProperty(name = "logitlab.store.root")
    Path storeRoot;

    @Override
    public HealthCheckResponse call() {
        try {
            Files.createDirectories(storeRoot);
        } catch (java.io.IOException e) {
            // reported below
        }
        boolean writable = Files.isDirectory(storeRoot) && Files.isWritable(storeRoot);
        return HealthCheckResponse.named("checkpoint-store").status(writable)
                .withData("root", storeRoot.toAbsolutePath().toString()).build();
    }
}
