package dev.logitlab.trainer.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.RunSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sweeps in the shared store ({@code sweeps/<sweepId>.json}: who asked, and every point's run id and spec), written
 * before any of their Jobs is created, so a restarted trainer (or another replica) still lists a sweep, follows its
 * Jobs and can cancel them. The points' status is not kept here: it comes back from the runs and the Jobs.
 */
@ApplicationScoped
public class SweepStore {

    private static final Logger LOG = Logger.getLogger(SweepStore.class);

    /** A sweep as stored. */
    public record Saved(String sweepId, String name, String executor, String submittedBy, Instant createdAt,
                        List<SavedPoint> points) {
    }

    public record SavedPoint(String runId, RunSpec spec) {
    }

    @ConfigProperty(name = "logitlab.store.root")
    Path storeRoot;

    @Inject
    ObjectMapper json;

    void save(Sweep sweep) {
        Path file = storeRoot.resolve("sweeps").resolve(sweep.getSweepId() + ".json");
        List<SavedPoint> points = sweep.getPoints().stream().map(p -> new SavedPoint(p.getRunId(), p.getSpec())).toList();
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
            json.writeValue(temporary.toFile(), new Saved(sweep.getSweepId(), sweep.getName(), sweep.getExecutor(),
                    sweep.getSubmittedBy(), sweep.getCreatedAt(), points));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save sweep " + sweep.getSweepId(), e);
        }
    }

    /** Every stored sweep; one that cannot be read is left where it is, with a warning. */
    public List<Sweep> all() {
        Path dir = storeRoot.resolve("sweeps");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Sweep> sweeps = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                try {
                    Saved saved = json.readValue(file.toFile(), Saved.class);
                    Sweep sweep = new Sweep(saved.sweepId(), saved.name(), saved.executor(), saved.submittedBy(),
                            saved.createdAt());
                    saved.points().forEach(p -> sweep.add(p.runId(), p.spec()));
                    sweeps.add(sweep);
                } catch (IOException | RuntimeException e) {
                    LOG.warnf("sweep file %s cannot be read and is skipped: %s", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the sweeps in " + dir, e);
        }
        return sweeps;
    }
}
