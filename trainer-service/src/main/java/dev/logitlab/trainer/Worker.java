package dev.logitlab.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.RunSpec;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Worker mode, for a sweep's training Job: when {@code LOGITLAB_WORKER_SPEC} is set, the trainer trains that one
 * run (publishing its events and checkpoints as usual) and exits 0 on success, 1 otherwise, which the Job's
 * status then reflects.
 */
@ApplicationScoped
public class Worker {

    private static final Logger LOG = Logger.getLogger(Worker.class);

    @ConfigProperty(name = "logitlab.worker.spec")
    Optional<String> spec;

    @ConfigProperty(name = "logitlab.worker.run-id")
    Optional<String> runId;

    @Inject
    TrainingExecutor executor;

    @Inject
    ObjectMapper json;

    void start(@Observes @Priority(3000) StartupEvent event) throws Exception {
        if (spec.isEmpty() || spec.get().isBlank()) {
            return;
        }
        RunSpec run = RunSpecs.normalize(json.readValue(spec.get(), RunSpec.class));
        Run submitted = executor.submit(runId.filter(id -> !id.isBlank()).orElse("worker"), run,
                TrainingExecutor.OWNER_WORKER);
        LOG.infof("worker mode: training run %s, then exiting", submitted.getRunId());
        Thread waiter = new Thread(() -> {
            while (!submitted.finished()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            LOG.infof("worker mode: run %s %s", submitted.getRunId(), submitted.getStatus());
            Quarkus.asyncExit(submitted.getStatus() == Run.Status.SUCCEEDED ? 0 : 1);
        }, "worker-exit");
        waiter.setDaemon(true);
        waiter.start();
    }
}
