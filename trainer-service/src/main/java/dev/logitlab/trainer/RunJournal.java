package dev.logitlab.trainer;

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
import dev.logitlab.service.ServiceMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * What the trainer must not forget across a restart, beside the checkpoints in the store: each run's spec and
 * status ({@code runs/<runId>/run.json}) and which checkpoints the broker has acknowledged (an outbox marker
 * {@code runs/<runId>/announced/epoch-NNN}, written only after the broker's ack). A restarted trainer lists its
 * runs again, announces what was written but never acknowledged, and resumes what was cut short.
 */
@ApplicationScoped
public class RunJournal {

    /**
     * {@code owner}: {@code service} for runs the trainer queues itself, {@code worker} for a training Job's;
     * {@code submittedBy}: the subject of the token that submitted it (null in journals written before tokens).
     */
    public record Entry(String runId, RunSpec spec, String configHash, Instant submittedAt, String owner,
                        Run.Status status, String error, String submittedBy) {
    }

    @ConfigProperty(name = "logitlab.store.root")
    Path storeRoot;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    private static final Logger LOG = Logger.getLogger(RunJournal.class);

    Path runDir(String runId) {
        return storeRoot.resolve("runs").resolve(runId);
    }

    void save(Entry entry) {
        Path file = runDir(entry.runId()).resolve("run.json");
        try {
            Files.createDirectories(file.getParent());
            // Unique per writer, so replicas sharing the store never rename each other's half-written file.
            Path temporary = file.resolveSibling("run.json." + UUID.randomUUID() + ".tmp");
            json.writeValue(temporary.toFile(), entry);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save run " + entry.runId(), e);
        }
    }

    List<Entry> all() {
        Path runs = storeRoot.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(runs)) {
            for (Path dir : dirs.toList()) {
                Path file = dir.resolve("run.json");
                if (Files.isRegularFile(file)) {
                    try {
                        Entry entry = json.readValue(file.toFile(), Entry.class);
                        if (entry.runId() == null || !entry.runId().equals(dir.getFileName().toString())
                                || entry.spec() == null || entry.status() == null) {
                            throw new IOException("not a run journal entry of run " + dir.getFileName());
                        }
                        entries.add(entry);
                    } catch (IOException e) {
                        setAside(dir.getFileName().toString(), e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the runs in " + runs, e);
        }
        return entries;
    }

    /**
     * Moves a {@code run.json} the trainer cannot read (or whose spec no longer checks) to {@code run.json.unreadable},
     * with a warning and {@code logitlab_runs_set_aside_total}: one bad file must not stop the trainer from starting,
     * nor be lost; an operator can read, fix and move it back.
     */
    void setAside(String runId, String why) {
        Path file = runDir(runId).resolve("run.json");
        LOG.warnf("run %s set aside (%s): %s", runId, file.resolveSibling("run.json.unreadable"), why);
        ServiceMetrics.RUNS_SET_ASIDE.counter(metrics).increment();
        try {
            Files.move(file, file.resolveSibling("run.json.unreadable"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.debugf("run %s already set aside by another replica: %s", runId, e.getMessage());
        }
    }

    /** Drops a run that was never queued (a full queue refused it). */
    void forget(String runId) {
        try {
            Files.deleteIfExists(runDir(runId).resolve("run.json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot forget run " + runId, e);
        }
    }

    boolean announced(String runId, int epoch) {
        return Files.exists(marker(runId, epoch));
    }

    void markAnnounced(String runId, int epoch) {
        try {
            Files.createDirectories(marker(runId, epoch).getParent());
            Files.writeString(marker(runId, epoch), Instant.now().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark epoch " + epoch + " of " + runId + " announced", e);
        }
    }

    private Path marker(String runId, int epoch) {
        return runDir(runId).resolve("announced").resolve(String.format("epoch-%03d", epoch));
    }
}
