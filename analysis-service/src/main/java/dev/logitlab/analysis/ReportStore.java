package dev.logitlab.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.ReportPublished;
import dev.logitlab.service.CheckpointStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Reports and the checkpoint events they join, kept in memory and on disk under {@code <store>/analysis/}:
 * after a restart the service loads them again and serves every report it published.
 */
@ApplicationScoped
public class ReportStore {

    @Inject
    CheckpointStore store;

    @Inject
    ObjectMapper json;

    private final Map<String, ReportPublished> reports = new ConcurrentHashMap<>();
    private final Map<String, CheckpointCreated> checkpoints = new ConcurrentHashMap<>();

    void load(@Observes StartupEvent event) {
        read(dir("reports"), ReportPublished.class).forEach(r -> reports.put(r.checkpointId(), r));
        read(dir("checkpoints"), CheckpointCreated.class).forEach(c -> checkpoints.put(c.checkpointId(), c));
    }

    void checkpoint(CheckpointCreated event) {
        checkpoints.put(event.checkpointId(), event);
        write(dir("checkpoints"), event.checkpointId(), event);
    }

    Optional<CheckpointCreated> checkpoint(String checkpointId) {
        return Optional.ofNullable(checkpoints.get(checkpointId));
    }

    void report(ReportPublished report) {
        reports.put(report.checkpointId(), report);
        write(dir("reports"), report.checkpointId(), report);
    }

    Optional<ReportPublished> report(String checkpointId) {
        return Optional.ofNullable(reports.get(checkpointId));
    }

    List<ReportPublished> reports() {
        return reports.values().stream()
                .sorted(Comparator.comparing(ReportPublished::runId).thenComparing(ReportPublished::epoch)).toList();
    }

    List<ReportPublished> reportsOfRun(String runId) {
        return reports().stream().filter(r -> r.runId().equals(runId)).toList();
    }

    private Path dir(String kind) {
        return store.root().resolve("analysis").resolve(kind);
    }

    /** One file per checkpoint; '/' in checkpoint ids becomes '~' so ids stay one path segment. */
    private void write(Path dir, String checkpointId, Object value) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(checkpointId.replace('/', '~') + ".json");
            Path temporary = dir.resolve(file.getFileName() + ".tmp");
            json.writeValue(temporary.toFile(), value);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + checkpointId + " under " + dir, e);
        }
    }

    private <T> List<T> read(Path dir, Class<T> type) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".json")).map(p -> {
                try {
                    return json.readValue(p.toFile(), type);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + p, e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
