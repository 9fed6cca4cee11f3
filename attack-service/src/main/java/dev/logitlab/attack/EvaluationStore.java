package dev.logitlab.attack;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.service.CheckpointStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Attack results on disk beside the checkpoints, {@code <store>/evaluations/<checkpointId>/<attackConfigHash>.json}:
 * they survive restarts, make redelivered events idempotent, and back {@code GET /api/evaluations}.
 */
@ApplicationScoped
public class EvaluationStore {

    @Inject
    CheckpointStore store;

    @Inject
    ObjectMapper json;

    Optional<AttackEvent> find(String checkpointId, String attackConfigHash) {
        Path file = file(checkpointId, attackConfigHash);
        return Files.isRegularFile(file) ? Optional.of(read(file)) : Optional.empty();
    }

    List<AttackEvent> all(String checkpointId) {
        Path dir = dir(checkpointId);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().map(this::read).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void save(AttackEvent event) {
        Path file = file(event.checkpointId(), event.attackConfigHash());
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            json.writeValue(temporary.toFile(), event);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save attack results of " + event.checkpointId(), e);
        }
    }

    private AttackEvent read(Path file) {
        try {
            return json.readValue(file.toFile(), AttackEvent.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private Path file(String checkpointId, String attackConfigHash) {
        return dir(checkpointId).resolve(attackConfigHash + ".json");
    }

    private Path dir(String checkpointId) {
        Path dir = store.root().resolve("evaluations").resolve(checkpointId).normalize();
        if (!dir.startsWith(store.root().resolve("evaluations"))) {
            throw new IllegalArgumentException("checkpoint id '" + checkpointId + "' escapes the store");
        }
        return dir;
    }
}
